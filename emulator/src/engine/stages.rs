//! A statement's physical plan, read while it runs and after, as the rows, bytes, times
//! and stages GetQueryRuntimeStatistics reports.
//!
//! Athena's stages are Trino's plan fragments, cut where data is exchanged between
//! workers. DataFusion runs on one machine, but its plan has exchanges too (a
//! repartition, a merge of partitions), so the stages here are the plan cut at those:
//! the exchange stays in the stage above as a node whose remote source is the stage
//! below it. Every figure comes from DataFusion's metrics of the plan's operators
//! (output rows and bytes, compute time), which they update as they run.

use std::fmt;
use std::sync::Arc;

use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::{MetricValue, MetricsSet};

/// The physical plan of a statement, whose metrics can be read while it runs.
#[derive(Clone)]
pub struct PlanHandle(Arc<dyn ExecutionPlan>);

impl fmt::Debug for PlanHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PlanHandle").field(&self.0.name()).finish()
    }
}

/// One plan node of a stage, as `QueryStagePlanNode` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanNode {
    /// The operator (DataFusion's name for it, `ProjectionExec`, `AggregateExec`, ...).
    pub(crate) name: String,
    /// Its number in the plan (pre-order from the root, from 0).
    pub(crate) identifier: String,
    /// Its inputs within the same stage.
    pub(crate) children: Vec<PlanNode>,
    /// The stages its input comes from (an exchange).
    pub(crate) remote_sources: Vec<String>,
}

/// One stage, as `QueryStage` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stage {
    pub(crate) id: u64,
    pub(crate) output_rows: u64,
    pub(crate) output_bytes: u64,
    pub(crate) input_rows: u64,
    pub(crate) input_bytes: u64,
    /// Compute time of its operators, in milliseconds.
    pub(crate) execution_millis: u64,
    pub(crate) plan: PlanNode,
    pub(crate) sub_stages: Vec<Stage>,
}

/// What the plan has done so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanStats {
    /// Rows its scans have produced (`Rows.InputRows`).
    pub(crate) input_rows: u64,
    /// Rows and bytes its root has produced (`Rows.OutputRows`, `Rows.OutputBytes`).
    pub(crate) output_rows: u64,
    pub(crate) output_bytes: u64,
    /// The stage that produces the result (`OutputStage`).
    pub(crate) output_stage: Stage,
}

/// Operators that move data between partitions: the cuts between stages.
fn is_exchange(plan: &dyn ExecutionPlan) -> bool {
    matches!(
        plan.name(),
        "RepartitionExec" | "CoalescePartitionsExec" | "SortPreservingMergeExec"
    )
}

/// An operator's figures: output rows, output bytes (the size of its batches in
/// memory), compute nanoseconds, and bytes scanned where the scan counts them.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    rows: u64,
    bytes: u64,
    compute_nanos: u64,
    scanned: Option<u64>,
}

fn figures(plan: &dyn ExecutionPlan) -> Figures {
    let Some(metrics) = plan.metrics() else {
        return Figures::default();
    };
    let count = |metrics: &MetricsSet, f: fn(&MetricValue) -> bool| {
        metrics
            .sum(|m| f(m.value()))
            .map_or(0, |v| v.as_usize() as u64)
    };
    Figures {
        rows: count(&metrics, |v| matches!(v, MetricValue::OutputRows(_))),
        bytes: count(&metrics, |v| matches!(v, MetricValue::OutputBytes(_))),
        compute_nanos: count(&metrics, |v| matches!(v, MetricValue::ElapsedCompute(_))),
        scanned: metrics
            .sum_by_name("bytes_scanned")
            .map(|v| v.as_usize() as u64),
    }
}

/// Numbers stages and nodes as the walk meets them.
#[derive(Debug, Default)]
struct Numbering {
    stages: u64,
    nodes: u64,
    /// Rows produced by scans anywhere in the plan.
    scanned_rows: u64,
}

/// What the nodes of one stage add up to while it is walked.
#[derive(Debug, Default)]
struct StageSums {
    compute_nanos: u64,
    leaf_rows: u64,
    leaf_bytes: u64,
    sub_stages: Vec<Stage>,
}

impl PlanHandle {
    pub(crate) fn new(plan: Arc<dyn ExecutionPlan>) -> Self {
        Self(plan)
    }

    /// The plan's figures now.
    pub(crate) fn stats(&self) -> PlanStats {
        let mut numbering = Numbering::default();
        let output_stage = stage(&self.0, &mut numbering);
        PlanStats {
            input_rows: numbering.scanned_rows,
            output_rows: output_stage.output_rows,
            output_bytes: output_stage.output_bytes,
            output_stage,
        }
    }
}

/// The stage whose root is `root`, with the stages below it.
fn stage(root: &Arc<dyn ExecutionPlan>, numbering: &mut Numbering) -> Stage {
    let id = numbering.stages;
    numbering.stages += 1;
    let mut sums = StageSums::default();
    let plan = node(root, numbering, &mut sums);
    let out = figures(root.as_ref());
    let (mut input_rows, mut input_bytes) = (sums.leaf_rows, sums.leaf_bytes);
    for sub in &sums.sub_stages {
        input_rows += sub.output_rows;
        input_bytes += sub.output_bytes;
    }
    Stage {
        id,
        output_rows: out.rows,
        output_bytes: out.bytes,
        input_rows,
        input_bytes,
        execution_millis: sums.compute_nanos / 1_000_000,
        plan,
        sub_stages: sums.sub_stages,
    }
}

/// The node `plan` within its stage; an exchange starts a stage for each input.
fn node(
    plan: &Arc<dyn ExecutionPlan>,
    numbering: &mut Numbering,
    sums: &mut StageSums,
) -> PlanNode {
    let identifier = numbering.nodes.to_string();
    numbering.nodes += 1;
    let own = figures(plan.as_ref());
    sums.compute_nanos += own.compute_nanos;
    let children = plan.children();
    if children.is_empty() {
        // A scan (or a source of literal rows): the stage's input.
        numbering.scanned_rows += own.rows;
        sums.leaf_rows += own.rows;
        sums.leaf_bytes += own.scanned.unwrap_or(own.bytes);
    }
    let mut node = PlanNode {
        name: plan.name().to_owned(),
        identifier,
        children: Vec::new(),
        remote_sources: Vec::new(),
    };
    if is_exchange(plan.as_ref()) {
        for child in children {
            let below = stage(child, numbering);
            node.remote_sources.push(below.id.to_string());
            sums.sub_stages.push(below);
        }
    } else {
        for child in children {
            node.children.push(self::node(child, numbering, sums));
        }
    }
    node
}
