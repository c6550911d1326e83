//! The state machine in `deploy/` read as data: the fields this project relies on are
//! there, spelled as Step Functions spells them, and its states link up.

use std::collections::BTreeSet;

use serde_json::{Map as Object, Value};

const ASL: &str = include_str!("../../deploy/statemachine.asl.json");
const TEMPLATE: &str = include_str!("../../deploy/template.yaml");

/// Step Functions' quota on a state's input and output, in bytes.
const STATE_PAYLOAD_LIMIT: u64 = 262_144;

/// An Express child execution's longest run, in seconds.
const EXPRESS_MAX_SECONDS: f64 = 300.0;

fn asl() -> Value {
    serde_json::from_str(ASL).expect("deploy/statemachine.asl.json is JSON")
}

/// The fields a JSONata state machine may use here, by where they appear, from the
/// Step Functions developer guide (states, Map, ItemReader, ItemBatcher, ResultWriter,
/// error handling). A field outside these is a typo or an invented one.
fn allowed(place: &str) -> &'static [&'static str] {
    match place {
        "machine" => &[
            "Comment",
            "QueryLanguage",
            "StartAt",
            "States",
            "TimeoutSeconds",
            "Version",
        ],
        "processor" => &["ProcessorConfig", "StartAt", "States"],
        "Task" => &[
            "Type",
            "Comment",
            "Resource",
            "Arguments",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
            "Next",
            "End",
            "QueryLanguage",
        ],
        "Map" => &[
            "Type",
            "Comment",
            "ItemReader",
            "ItemBatcher",
            "ItemProcessor",
            "ItemSelector",
            "Items",
            "MaxConcurrency",
            "ToleratedFailurePercentage",
            "ToleratedFailureCount",
            "ResultWriter",
            "Label",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "Next",
            "End",
            "QueryLanguage",
        ],
        "ItemReader" => &["Resource", "ReaderConfig", "Arguments"],
        "ReaderConfig" => &[
            "InputType",
            "ManifestType",
            "CSVHeaderLocation",
            "CSVHeaders",
            "CSVDelimiter",
            "MaxItems",
        ],
        "ItemBatcher" => &["MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"],
        "ProcessorConfig" => &["Mode", "ExecutionType"],
        "ResultWriter" => &["Resource", "Arguments", "WriterConfig"],
        "Retry" => &[
            "ErrorEquals",
            "IntervalSeconds",
            "MaxAttempts",
            "BackoffRate",
            "MaxDelaySeconds",
            "JitterStrategy",
        ],
        other => panic!("no field list for {other}"),
    }
}

fn object<'a>(value: &'a Value, what: &str) -> &'a Object<String, Value> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {value}"))
}

fn check_fields(value: &Value, place: &str, what: &str) {
    let unknown: Vec<_> = object(value, what)
        .keys()
        .filter(|k| !allowed(place).contains(&k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "{what}: fields not in Step Functions' {place}: {unknown:?}"
    );
}

/// Every state of `states` (and of the Maps' processors, recursively), with its name.
fn all_states(states: &Object<String, Value>, out: &mut Vec<(String, Value)>) {
    for (name, state) in states {
        out.push((name.clone(), state.clone()));
        if let Some(processor) = state.get("ItemProcessor") {
            all_states(object(&processor["States"], "ItemProcessor.States"), out);
        }
    }
}

/// Checks that `StartAt` and every `Next` of one graph name states of that graph, that
/// every state ends or goes on, and that every state is reachable.
fn check_graph(graph: &Value, what: &str) {
    let states = object(&graph["States"], what);
    let start = graph["StartAt"]
        .as_str()
        .unwrap_or_else(|| panic!("{what} has no StartAt"));
    assert!(
        states.contains_key(start),
        "{what}: StartAt {start:?} is not a state"
    );
    let mut reached = BTreeSet::from([start.to_owned()]);
    let mut todo = vec![start.to_owned()];
    while let Some(name) = todo.pop() {
        let state = &states[&name];
        match (state.get("Next"), state.get("End")) {
            (Some(next), None) => {
                let next = next.as_str().expect("Next is a state name");
                assert!(
                    states.contains_key(next),
                    "{what}: {name}.Next {next:?} is not a state"
                );
                if reached.insert(next.to_owned()) {
                    todo.push(next.to_owned());
                }
            }
            (None, Some(end)) => assert_eq!(end, &Value::Bool(true), "{what}: {name}.End"),
            other => panic!("{what}: {name} needs exactly one of Next and End, has {other:?}"),
        }
        if let Some(processor) = state.get("ItemProcessor") {
            check_fields(processor, "processor", &format!("{name}.ItemProcessor"));
            check_graph(processor, &format!("{name}.ItemProcessor"));
        }
    }
    let unreached: Vec<_> = states.keys().filter(|k| !reached.contains(*k)).collect();
    assert!(
        unreached.is_empty(),
        "{what}: states never reached: {unreached:?}"
    );
}

fn the_map(asl: &Value) -> (String, Value) {
    let mut states = Vec::new();
    all_states(object(&asl["States"], "States"), &mut states);
    let maps: Vec<_> = states
        .into_iter()
        .filter(|(_, s)| s["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED")
        .collect();
    assert_eq!(maps.len(), 1, "one Distributed Map");
    maps.into_iter().next().unwrap()
}

fn the_worker_task(map: &Value) -> (String, Value) {
    let mut states = Vec::new();
    all_states(
        object(&map["ItemProcessor"]["States"], "ItemProcessor.States"),
        &mut states,
    );
    let tasks: Vec<_> = states
        .into_iter()
        .filter(|(_, s)| s["Resource"] == "arn:aws:states:::lambda:invoke")
        .collect();
    assert_eq!(tasks.len(), 1, "one Lambda task in the Map");
    tasks.into_iter().next().unwrap()
}

#[test]
fn states_link_up_and_use_only_step_functions_fields() {
    let asl = asl();
    check_fields(&asl, "machine", "the state machine");
    assert_eq!(
        asl["QueryLanguage"], "JSONata",
        "Arguments and Output are JSONata fields"
    );
    check_graph(&asl, "the state machine");

    let mut states = Vec::new();
    all_states(object(&asl["States"], "States"), &mut states);
    for (name, state) in &states {
        let kind = state["Type"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no Type"));
        check_fields(state, kind, name);
        for (field, place) in [
            ("ItemReader", "ItemReader"),
            ("ItemBatcher", "ItemBatcher"),
            ("ResultWriter", "ResultWriter"),
        ] {
            if let Some(value) = state.get(field) {
                check_fields(value, place, &format!("{name}.{field}"));
            }
        }
        if let Some(config) = state.pointer("/ItemReader/ReaderConfig") {
            check_fields(
                config,
                "ReaderConfig",
                &format!("{name}.ItemReader.ReaderConfig"),
            );
        }
        if let Some(config) = state.pointer("/ItemProcessor/ProcessorConfig") {
            check_fields(
                config,
                "ProcessorConfig",
                &format!("{name}.ProcessorConfig"),
            );
        }
        for rule in state
            .get("Retry")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            check_fields(rule, "Retry", &format!("{name}.Retry"));
        }
    }
}

#[test]
fn the_map_reads_the_unload_manifest_in_batches() {
    let asl = asl();
    let (name, map) = the_map(&asl);
    assert!(
        ["STANDARD", "EXPRESS"].contains(
            &map["ItemProcessor"]["ProcessorConfig"]["ExecutionType"]
                .as_str()
                .unwrap()
        ),
        "{name}: ExecutionType"
    );

    let reader = &map["ItemReader"];
    assert_eq!(reader["Resource"], "arn:aws:states:::s3:getObject");
    assert_eq!(reader["ReaderConfig"]["ManifestType"], "ATHENA_DATA");
    assert_eq!(reader["ReaderConfig"]["InputType"], "PARQUET");
    for field in ["Bucket", "Key"] {
        let arg = reader["Arguments"][field].as_str().unwrap();
        assert!(
            arg.contains("ManifestLocation"),
            "{field} comes from the manifest: {arg}"
        );
    }

    // The manifest is the UNLOAD's, written in the format the reader expects.
    let (_, unload) = asl["States"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, s)| s["Next"] == name.as_str())
        .expect("a state leads to the Map");
    assert_eq!(
        unload["Resource"],
        "arn:aws:states:::athena:startQueryExecution.sync"
    );
    let query = unload["Arguments"]["QueryString"].as_str().unwrap();
    assert!(
        query.contains("UNLOAD (SELECT") && query.contains("format = 'PARQUET'"),
        "{query}"
    );
    let manifest = unload["Output"]["ManifestLocation"].as_str().unwrap();
    assert!(
        manifest.contains("Statistics.DataManifestLocation"),
        "{manifest}"
    );
    assert!(
        manifest.contains("'-manifest.csv'"),
        "the documented fallback: {manifest}"
    );

    let batcher = &map["ItemBatcher"];
    let items = batcher["MaxItemsPerBatch"].as_u64();
    let bytes = batcher["MaxInputBytesPerBatch"].as_u64();
    assert!(items.is_some() || bytes.is_some(), "a batch is bounded");
    assert!(items.is_none_or(|n| n >= 1));
    assert!(
        bytes.is_none_or(|b| (1..=STATE_PAYLOAD_LIMIT).contains(&b)),
        "{bytes:?}"
    );
    assert!(batcher["BatchInput"].is_object());
}

#[test]
fn the_map_tolerates_failures_retries_the_worker_and_writes_results() {
    let asl = asl();
    let (_, map) = the_map(&asl);
    let percentage = map["ToleratedFailurePercentage"]
        .as_f64()
        .expect("ToleratedFailurePercentage");
    assert!((0.0..=100.0).contains(&percentage));
    let concurrency = map["MaxConcurrency"].as_u64().expect("MaxConcurrency");
    assert!((1..=10_000).contains(&concurrency));

    let (name, task) = the_worker_task(&map);
    assert_eq!(
        task["Arguments"]["FunctionName"], "${WorkerFunctionArn}",
        "{name} calls the worker"
    );
    assert_eq!(
        task["Arguments"]["Payload"], "{% $states.input %}",
        "the batch as it is"
    );
    assert_eq!(
        task["Output"], "{% $states.result.Payload %}",
        "the worker's answer as it is"
    );
    let rules = task["Retry"].as_array().expect("a Retry on the worker");
    assert!(!rules.is_empty());
    for rule in rules {
        let errors: Vec<_> = rule["ErrorEquals"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert!(errors.contains(&"Lambda.ServiceException"), "{errors:?}");
        assert!(
            !errors
                .iter()
                .any(|e| e.starts_with("AthenaStream.") || *e == "States.ALL"),
            "a batch over its tolerance is not retried whole: {errors:?}"
        );
        assert!(rule["BackoffRate"].as_f64().unwrap() >= 1.0);
        assert!(["FULL", "NONE"].contains(&rule["JitterStrategy"].as_str().unwrap_or("NONE")));
    }

    let writer = &map["ResultWriter"];
    assert_eq!(writer["Resource"], "arn:aws:states:::s3:putObject");
    assert!(writer["Arguments"]["Bucket"].is_string() && writer["Arguments"]["Prefix"].is_string());
}

#[test]
fn an_express_batch_and_its_retries_fit_in_five_minutes() {
    let asl = asl();
    let (_, map) = the_map(&asl);
    if map["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] != "EXPRESS" {
        return;
    }
    let (_, task) = the_worker_task(&map);
    // The Lambda's timeout, from the template: `Timeout: N` under the worker function.
    let worker = &TEMPLATE[TEMPLATE.find("WorkerFunction:").expect("WorkerFunction")..];
    let timeout: f64 = worker
        .lines()
        .find_map(|l| l.trim().strip_prefix("Timeout:"))
        .expect("the worker's Timeout")
        .trim()
        .parse()
        .unwrap();
    let mut worst = 0.0;
    for rule in task["Retry"].as_array().unwrap() {
        let attempts = rule["MaxAttempts"].as_u64().unwrap_or(3);
        let interval = rule["IntervalSeconds"].as_f64().unwrap_or(1.0);
        let rate = rule["BackoffRate"].as_f64().unwrap_or(2.0);
        let delays: f64 = (0..attempts).map(|n| interval * rate.powi(n as i32)).sum();
        let total = (attempts + 1) as f64 * timeout + delays;
        worst = f64::max(worst, total);
    }
    assert!(
        worst < EXPRESS_MAX_SECONDS,
        "a batch may need {worst} s, over an Express execution's 300 s"
    );
}

#[test]
fn every_placeholder_is_substituted_by_the_template() {
    let substitutions = &TEMPLATE[TEMPLATE
        .find("DefinitionSubstitutions:")
        .expect("DefinitionSubstitutions")..];
    let mut rest = ASL;
    let mut names = BTreeSet::new();
    while let Some(start) = rest.find("${") {
        let end = rest[start..].find('}').expect("a closed placeholder") + start;
        names.insert(&rest[start + 2..end]);
        rest = &rest[end..];
    }
    assert!(names.contains("WorkerFunctionArn"), "{names:?}");
    for name in names {
        assert!(
            substitutions.contains(&format!("\n        {name}: ")),
            "${{{name}}} is not in DefinitionSubstitutions"
        );
    }
}
