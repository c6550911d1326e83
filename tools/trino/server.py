"""Install, configure, start and stop the single-node Trino server the recorder asks.

Everything lives under target/trino/ (gitignored): the unpacked server, its etc/ and
var/ directories, the Hive warehouse and the file metastore. Nothing here writes into
the tracked tree.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

TRINO_VERSION = "476"
# Trino 476 refuses to start below this (io.trino.server.TrinoSystemRequirements,
# verifyJavaVersion, in lib/io.trino_trino-main-476.jar).
MIN_JAVA = (24, 0, 1)
# Only the plugins the corpus needs: every other plugin adds seconds to startup.
PLUGINS = ("hive", "memory", "tpch")
# node.environment doubles as our signature: a server answering /v1/info with this
# environment on our port is ours and may be reused or stopped.
ENVIRONMENT = "athena_stream_oracle"
DEFAULT_PORT = 18476
HEAP = "5G"

REPO = Path(__file__).resolve().parents[2]
ROOT = REPO / "target" / "trino"
INSTALL = ROOT / f"trino-server-{TRINO_VERSION}"
ETC = ROOT / "etc"
DATA = ROOT / "data"
# The root of the Hive catalog's local file system: `local:///x` is ROOT_FS/x.
HIVE_FS = ROOT / "hive-fs"
PID_FILE = ROOT / "server.pid"
LOG_FILE = ROOT / "server.log"
INSTALLED_MARK = INSTALL / ".athena-stream-plugins"


def log(msg):
    print(f"[trino] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- install


def maven_repo():
    return Path(os.environ.get("MAVEN_REPO", Path.home() / ".m2" / "repository"))


def tarball():
    """The trino-server tarball in the local Maven repository, downloaded if absent."""
    path = (maven_repo() / "io" / "trino" / "trino-server" / TRINO_VERSION
            / f"trino-server-{TRINO_VERSION}.tar.gz")
    if path.exists():
        return path
    if shutil.which("mvn") is None:
        raise SystemExit("mvn is not on PATH: it is needed once to download trino-server")
    log(f"downloading io.trino:trino-server:{TRINO_VERSION}:tar.gz with mvn (about 820 MB)")
    started = time.monotonic()
    subprocess.run(
        ["mvn", "-q", "-B", "dependency:get",
         f"-Dartifact=io.trino:trino-server:{TRINO_VERSION}:tar.gz",
         "-Dtransitive=false"],
        check=True)
    log(f"downloaded in {time.monotonic() - started:.0f} s")
    if not path.exists():
        raise SystemExit(f"mvn finished but {path} is not there (MAVEN_REPO set right?)")
    return path


def install():
    """Unpack the server into target/trino/, keeping only PLUGINS."""
    if INSTALLED_MARK.exists() and INSTALLED_MARK.read_text().split() == list(PLUGINS):
        return
    archive = tarball()
    log(f"unpacking {archive.name} into {INSTALL.relative_to(REPO)}")
    started = time.monotonic()
    staging = ROOT / "unpack.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(INSTALL, ignore_errors=True)
    staging.mkdir(parents=True)
    # The tarball stores a plugin's jars as hard links to the same jar in an earlier
    # plugin (hive's point into delta-lake's), so a selective extract loses them:
    # unpack all, then delete the plugins not wanted (the links survive as files).
    subprocess.run(["tar", "-xzf", str(archive), "-C", str(staging)], check=True)
    unpacked = staging / f"trino-server-{TRINO_VERSION}"
    for plugin in (unpacked / "plugin").iterdir():
        if plugin.name not in PLUGINS:
            shutil.rmtree(plugin)
    unpacked.rename(INSTALL)
    staging.rmdir()
    INSTALLED_MARK.write_text("\n".join(PLUGINS) + "\n")
    log(f"unpacked in {time.monotonic() - started:.0f} s")


# ---------------------------------------------------------------- java


def java_version(home):
    """(major, minor, patch) from a JDK's `release` file, or None."""
    release = Path(home) / "release"
    if not (Path(home) / "bin" / "java").exists() or not release.exists():
        return None
    for line in release.read_text().splitlines():
        if line.startswith("JAVA_VERSION="):
            text = line.split("=", 1)[1].strip('"')
            parts = [int(p) for p in text.split("+")[0].split("-")[0].split(".") if p.isdigit()]
            return tuple((parts + [0, 0, 0])[:3])
    return None


def find_java():
    """A JDK new enough for Trino: TRINO_JAVA_HOME, JAVA_HOME, then /usr/lib/jvm/*."""
    candidates = [os.environ.get("TRINO_JAVA_HOME"), os.environ.get("JAVA_HOME")]
    jvm_dir = Path("/usr/lib/jvm")
    if jvm_dir.is_dir():
        candidates += sorted((str(p) for p in jvm_dir.iterdir()), reverse=True)
    for home in candidates:
        if home and (version := java_version(home)) and version >= MIN_JAVA:
            return home
    wanted = ".".join(map(str, MIN_JAVA))
    raise SystemExit(f"no JDK >= {wanted} found: set TRINO_JAVA_HOME "
                     "(for example /usr/lib/jvm/temurin-25-jdk-amd64)")


# ---------------------------------------------------------------- configure


def write_config(port):
    """etc/ for one node that is coordinator and worker, bound to 127.0.0.1."""
    shutil.rmtree(ETC, ignore_errors=True)
    (ETC / "catalog").mkdir(parents=True)
    DATA.mkdir(parents=True, exist_ok=True)
    HIVE_FS.mkdir(parents=True, exist_ok=True)
    files = {
        "node.properties": [
            f"node.environment={ENVIRONMENT}",
            "node.id=athena-stream-oracle",
            f"node.data-dir={DATA}",
            # Listen on loopback only; announce the same address to ourselves.
            "node.bind-ip=127.0.0.1",
            "node.internal-address=127.0.0.1",
        ],
        "jvm.config": [
            "-server",
            f"-Xmx{HEAP}",
            "-XX:+UseG1GC",
            "-XX:G1HeapRegionSize=32M",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:ReservedCodeCacheSize=256M",
            "-XX:+EnableDynamicAgentLoading",
            "-Djdk.attach.allowAttachSelf=true",
            "-Dfile.encoding=UTF-8",
            # Athena runs in UTC; the session zone is set per request too.
            "-Duser.timezone=UTC",
        ],
        "config.properties": [
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            f"http-server.http.port={port}",
            f"discovery.uri=http://127.0.0.1:{port}",
            "query.max-memory=2GB",
            "query.max-memory-per-node=2GB",
            # A one-node oracle: no reason to wait for workers or keep history.
            "query.min-expire-age=1m",
            "http-server.log.enabled=false",
        ],
        "log.properties": ["io.trino=WARN", "io.trino.server.Server=INFO"],
        "catalog/memory.properties": ["connector.name=memory"],
        "catalog/tpch.properties": ["connector.name=tpch"],
        "catalog/hive.properties": [
            "connector.name=hive",
            # Table metadata as JSON files under local:///metastore.
            "hive.metastore=file",
            "hive.metastore.catalog.dir=local:///metastore",
            # The native local file system: local:///x is HIVE_FS/x. The docs show
            # local.location as a local:// URI, but 476 binds it to a java.io.File and
            # fails with "file does not exist: local:/..." unless it is a plain path.
            "fs.native-local.enabled=true",
            f"local.location={HIVE_FS}",
            # Athena's external tables are read-only from Trino's side; allow the
            # CREATE over an existing directory (the default, said out loud).
            "hive.non-managed-table-creates-enabled=true",
        ],
    }
    for name, lines in files.items():
        (ETC / name).write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------- run


def info(port, timeout=2.0):
    """/v1/info as a dict, or None when nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/info", timeout=timeout) as r:
            return json.load(r)
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError, OSError):
        return None


def ours(port):
    """Is the server on `port` one this tool started (and of our version)?"""
    answer = info(port)
    return bool(answer and answer.get("environment") == ENVIRONMENT
                and answer.get("nodeVersion", {}).get("version") == TRINO_VERSION)


def read_pid():
    try:
        return int(PID_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def start(port, ready_timeout=240):
    """Start Trino in its own process group and wait until it takes queries."""
    if info(port) is not None:
        raise SystemExit(f"something already answers on 127.0.0.1:{port}; "
                         "stop it (record.py --stop) or pick --port")
    java_home = find_java()
    write_config(port)
    env = dict(os.environ, JAVA_HOME=java_home,
               PATH=f"{java_home}/bin:{os.environ.get('PATH', '')}")
    log(f"starting Trino {TRINO_VERSION} on 127.0.0.1:{port} with {java_home} "
        f"(log: {LOG_FILE.relative_to(REPO)})")
    started = time.monotonic()
    logf = open(LOG_FILE, "wb")
    # `launcher run` execs java in the foreground, so the pid we keep is the JVM's.
    # start_new_session puts it in its own process group: Ctrl-C in the terminal does
    # not reach it directly, and stop() can signal the whole group.
    proc = subprocess.Popen(
        [str(INSTALL / "bin" / "launcher"), "run",
         f"--etc-dir={ETC}", f"--data-dir={DATA}"],
        stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
        env=env, start_new_session=True)
    logf.close()
    PID_FILE.write_text(f"{proc.pid} {port}\n")
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"Trino exited with {proc.returncode} while starting; "
                                 f"see {LOG_FILE}:\n{tail(LOG_FILE)}")
            answer = info(port)
            if answer and answer.get("starting") is False:
                break
            if time.monotonic() - started > ready_timeout:
                raise SystemExit(f"Trino not ready after {ready_timeout} s; "
                                 f"see {LOG_FILE}:\n{tail(LOG_FILE)}")
            time.sleep(1)
    except BaseException:
        stop()
        raise
    log(f"ready in {time.monotonic() - started:.0f} s")
    return proc


def tail(path, lines=30):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def is_our_server(pid):
    """Does `pid` run our install (and not some process that got a recycled pid)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return alive(pid)  # no /proc (not Linux): trust the pid file
    return str(INSTALL) in cmdline or cmdline == ""  # "" is our unreaped zombie


def stop(timeout=60):
    """Stop the server named in the pid file: SIGTERM to its group, then SIGKILL."""
    pid = read_pid()
    if pid is None or not alive(pid) or not is_our_server(pid):
        PID_FILE.unlink(missing_ok=True)
        return False
    log(f"stopping Trino (pid {pid})")
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        reap(pid)
        time.sleep(0.5)
    if alive(pid):
        log(f"pid {pid} ignored SIGTERM for {timeout} s: SIGKILL")
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(1)
        reap(pid)
    PID_FILE.unlink(missing_ok=True)
    return True


def reap(pid):
    """Collect our own child's exit status so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
