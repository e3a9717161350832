"""Running the CLI in tests: in-process by default, as a real process on request.

`run_cli(args, env=..., input=...)` calls `mobius_cli.__main__.main(argv)` inside the test
process, the way `mobius ARGS` would run: the environment replaced by `env` (restored
afterwards), stdin from `input` (else an empty stdin, like /dev/null), stdout and stderr
captured through real files that are not terminals, sys.argv set. It returns the same
`subprocess.CompletedProcess[str]` a subprocess run gives (returncode, stdout, stderr).

A fresh process starts with nothing cached, so after every in-process run the state the
CLI may keep between calls is put back: every `mobius_cli` module global that was
rebound or whose dict/list/set was changed, mutable class attributes and module-level
instances of its classes, `functools` caches (except the pure language tables kept in
`KEEP_CACHES`), keyring's chosen backend, Rich's global console, logging, warnings filters,
signal handlers, umask and the working directory. The first in-process run imports the
whole package, so that no module is first seen half-way through a run. `RESETS` takes
extra callables for state this cannot see.

Use `subprocess=True` (or `run_subprocess`) for what needs a real process: start-up
imports, signals, pipes closed by the reader, a terminal. TESTS_SUBPROCESS=1 in the
environment runs every call as a real process, to tell a runner problem from a CLI one.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import logging
import marshal
import os
import pkgutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
import types
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

MOBIUS_BIN = str(Path(sys.executable).parent / "mobius")
PACKAGE = "mobius_cli"
# Set to run every CLI call as a real process (to tell a runner problem from a CLI one).
FORCE_SUBPROCESS = "TESTS_SUBPROCESS"

# Caches of pure functions (language tables built from constants) that may outlive a run:
# rebuilding them for every call would only cost time. Everything else is cleared.
KEEP_CACHES = ("mobius_cli.nl.", "mobius_cli.repl._completer")

# Extra resets for state the generic guard cannot see (called after every in-process run).
RESETS: list[Callable[[], None]] = []

_MUTABLE = (dict, list, set)
_lock = threading.Lock()


# --- a real process ------------------------------------------------------------------


def run_subprocess(args: Sequence[str], env: Mapping[str, str] | None = None,
                   input: str | bytes | None = None,
                   timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the installed `mobius` script as a child process (text, UTF-8, never a TTY)."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    proc = subprocess.run([MOBIUS_BIN, *args], env=dict(os.environ if env is None else env),
                          input=data, timeout=timeout,
                          stdin=subprocess.DEVNULL if data is None else None,
                          capture_output=True, check=False)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


# --- fresh processes, forked from a warm one -----------------------------------------

# A Python process that has imported the app (what every command imports first) and built
# its command tree, then forks one child per probe: a child is a process of its own, with
# exactly the modules a fresh `mobius ARGS` would have loaded (plus nothing: the app is
# imported by every command anyway), at a fraction of the cost of starting Python, typer
# and rich again. Not for checks of what importing the app itself loads, nor of paths
# that never import it (`--version`): run those with `subprocess`.
_FORK_SERVER = r"""
import marshal, os, sys
import mobius_cli.__main__
import mobius_cli.app
import typer.main
_build = typer.main.get_command
_built = {}
def _cached(app):
    if id(app) not in _built:
        _built[id(app)] = (app, _build(app))
    return _built[id(app)][1]
typer.main.get_command = _cached
_cached(mobius_cli.app.app)  # built once, reused by every child
_pipe = sys.stdin.buffer
print("ready", flush=True)
while True:
    size = _pipe.read(8)
    if len(size) < 8:
        break
    req = marshal.loads(_pipe.read(int(size)))
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            for fd, path, mode in ((0, os.devnull, os.O_RDONLY),
                                   (1, req["out"], os.O_WRONLY),
                                   (2, req["err"], os.O_WRONLY)):
                os.dup2(os.open(path, mode), fd)
            sys.stdin = open(0, encoding="utf-8", errors="surrogateescape", closefd=False)
            sys.stdout = open(1, "w", encoding="utf-8", errors="surrogateescape",
                              closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",
                              closefd=False, buffering=1)
            sys.argv = ["-c", *req["argv"]]
            try:
                exec(compile(req["code"], "<string>", "exec"), {"__name__": "__main__"})
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None
                                                                   else 1)
                if not isinstance(exc.code, (int, type(None))):
                    print(exc.code, file=sys.stderr)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""

_server: subprocess.Popen[bytes] | None = None
_server_lock = threading.Lock()


def _fork_server() -> subprocess.Popen[bytes]:
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([sys.executable, "-c", _FORK_SERVER],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env=dict(os.environ))
        assert _server.stdout is not None
        ready = _server.stdout.readline().decode().strip()
        if ready != "ready":
            _server.kill()
            _server = None
            raise RuntimeError(f"the fork server did not start: {ready!r}")
        atexit.register(_stop_fork_server)
    return _server


def _stop_fork_server() -> None:
    global _server
    if _server is not None and _server.poll() is None:
        assert _server.stdin is not None
        _server.stdin.close()
        try:
            _server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _server.kill()
    _server = None


def run_python_forked(code: str, *argv: str, env: Mapping[str, str] | None = None,
                      timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python -c CODE ARGV...` in a fresh child forked from a process that has already
    imported the app; stdin is empty. Same result as the subprocess (see _FORK_SERVER)."""
    with _server_lock, tempfile.TemporaryDirectory() as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        for path in (out, err):
            open(path, "w").close()
        request = {"code": code, "argv": list(argv), "cwd": os.getcwd(), "out": out,
                   "err": err, "env": dict(os.environ if env is None else env)}
        server = _fork_server()
        assert server.stdin is not None and server.stdout is not None
        data = marshal.dumps(request)
        server.stdin.write(b"%08d" % len(data) + data)
        server.stdin.flush()
        reply: list[bytes] = []
        reader = threading.Thread(target=lambda: reply.append(server.stdout.readline()),
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not reply or not reply[0].strip():
            _stop_fork_server()
            raise subprocess.TimeoutExpired(["python", "-c", code, *argv], timeout)
        with open(out, "rb") as fh_out, open(err, "rb") as fh_err:
            stdout = fh_out.read().decode("utf-8", "replace")
            stderr = fh_err.read().decode("utf-8", "replace")
    return subprocess.CompletedProcess(["python", "-c", code, *argv], int(reply[0]),
                                       stdout, stderr)


# --- in-process ----------------------------------------------------------------------


class _Timeout(BaseException):
    """Raised in the main thread when an in-process run exceeds its timeout."""


def run_cli(args: Sequence[str], env: Mapping[str, str] | None = None,
            input: str | bytes | None = None, timeout: float = 30, *,
            subprocess: bool = False) -> subprocess.CompletedProcess[str]:
    """`mobius ARGS` with exactly `env` as its environment (default: os.environ)."""
    if subprocess or os.environ.get(FORCE_SUBPROCESS):
        return run_subprocess(args, env, input, timeout)
    return run_in_process(args, env, input, timeout)


def run_in_process(args: Sequence[str], env: Mapping[str, str] | None = None,
                   input: str | bytes | None = None,
                   timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Call `main(argv)` here, sealed like a process of its own (see the module doc)."""
    args = [str(a) for a in args]
    full = dict(os.environ if env is None else env)
    with _lock, contextlib.ExitStack() as stack:
        _preload()
        stack.enter_context(_package_state())
        stack.enter_context(_process_state(full))
        out, err = stack.enter_context(_streams(input))
        stack.enter_context(_alarm(timeout))
        install_process_caches()
        code = _call_main(args)
        sys.stdout.flush()
        sys.stderr.flush()
        stdout, stderr = _read(out), _read(err)
    return subprocess.CompletedProcess(["mobius", *args], code, stdout, stderr)


_commands: dict[Any, Any] = {}


def _fingerprint(app: Any) -> tuple[Any, ...]:
    """What the click command built from a Typer app depends on: its registrations."""
    callback = getattr(app, "registered_callback", None)
    return (id(app), id(getattr(callback, "callback", None)),
            tuple(id(c.callback) for c in getattr(app, "registered_commands", ())),
            tuple(_fingerprint(g.typer_instance) for g in getattr(app, "registered_groups", ())))


def cache_click_commands() -> None:
    """Build the click command tree once per Typer app, not on every call of main().

    Typer rebuilds it from the functions' signatures on each call (about a tenth of a
    second of CPU per command); a process does that once. Only the app's own invocation
    (`Typer.__call__`, what main() runs) reuses the tree: `typer.main.get_command` still
    builds a fresh one for anyone else. After each call the one thing click caches lazily
    on a command (its help option, which depends on the context that first asked) is
    cleared, so a run sees exactly what a fresh tree would give. A test that registers or
    replaces commands gets a fresh tree (the key covers every registration). Installed
    by conftest.
    """
    typer_main = importlib.import_module("typer.main")  # works mid-way through `import typer`
    call = typer_main.Typer.__call__
    if getattr(call, "_tests_cached", False):
        return

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        key = _fingerprint(self)
        if key not in _commands:
            _commands[key] = (self, typer_main.get_command(self))  # the app kept alive
        command = _commands[key][1]
        build = typer_main.get_command

        def once(app: Any) -> Any:  # Typer.__call__'s own get_command(self), then no more
            typer_main.get_command = build
            return command if app is self else build(app)

        typer_main.get_command = once
        try:
            return call(self, *args, **kwargs)
        finally:
            typer_main.get_command = build
            _forget_help_options(command)

    __call__._tests_cached = True  # type: ignore[attr-defined]
    typer_main.Typer.__call__ = __call__  # type: ignore[method-assign]


def _forget_help_options(command: Any) -> None:
    stack = [command]
    while stack:
        node = stack.pop()
        if getattr(node, "_help_option", None) is not None:
            node._help_option = None  # built again from the next context that asks
        stack.extend(getattr(node, "commands", {}).values())


def share_ssl_context() -> None:
    """One default TLS context for every httpx client in the test process.

    Each `httpx.Client` loads certifi's CA bundle (about 30 ms of CPU), even for the
    loopback http:// fakes; a process does that once per command, so sharing the identical
    default context between in-process runs changes nothing a run can observe.
    """
    try:
        import httpx._transports.default as transport
    except ImportError:  # another httpx layout: nothing to share
        return
    create = transport.create_ssl_context
    if getattr(create, "_tests_shared", False):
        return
    shared: dict[tuple[Any, ...], Any] = {}

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in shared:
            shared[key] = create(verify=verify, cert=cert, trust_env=trust_env)
        return shared[key]

    create_ssl_context._tests_shared = True  # type: ignore[attr-defined]
    transport.create_ssl_context = create_ssl_context


def install_process_caches() -> None:
    """What one process builds once, built once for the whole test process (conftest)."""
    cache_click_commands()
    share_ssl_context()


def _call_main(args: list[str]) -> int:
    """main's exit code, or what Python itself would exit with."""
    from mobius_cli.__main__ import main

    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    except _Timeout:
        raise
    except KeyboardInterrupt:
        traceback.print_exc()
        return 130
    except BaseException:  # an uncaught exception: Python prints it and exits 1
        traceback.print_exc()
        return 1
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _read(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    raw.seek(0)
    return raw.read().decode("utf-8", "replace")


@contextlib.contextmanager
def _streams(input: str | bytes | None) -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    """Real files for stdin, stdout and stderr (with file descriptors, never terminals)."""
    saved = sys.stdin, sys.stdout, sys.stderr
    with contextlib.ExitStack() as stack:
        if input is None:
            stdin = stack.enter_context(open(os.devnull, encoding="utf-8",
                                             errors="surrogateescape"))
        else:
            raw = stack.enter_context(tempfile.TemporaryFile())
            raw.write(input.encode("utf-8") if isinstance(input, str) else input)
            raw.seek(0)
            stdin = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape")
        # As Python sets them up under the C.UTF-8 locale the tests run in.
        out = io.TextIOWrapper(stack.enter_context(tempfile.TemporaryFile()), encoding="utf-8",
                               errors="surrogateescape")
        err = io.TextIOWrapper(stack.enter_context(tempfile.TemporaryFile()), encoding="utf-8",
                               errors="backslashreplace", line_buffering=True)
        sys.stdin, sys.stdout, sys.stderr = stdin, out, err
        try:
            yield out, err
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved


@contextlib.contextmanager
def _alarm(timeout: float) -> Iterator[None]:
    """Interrupt a run that hangs (main thread only), like subprocess.run's timeout."""
    if threading.current_thread() is not threading.main_thread() or not timeout or \
            signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    except _Timeout:
        raise subprocess.TimeoutExpired(["mobius"], timeout) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


@contextlib.contextmanager
def _process_state(env: dict[str, str]) -> Iterator[None]:
    """Environment, argv, cwd, umask, signals, logging, warnings: as found, afterwards."""
    saved_env = dict(os.environ)
    saved_argv = sys.argv
    saved_hook = sys.excepthook  # Typer installs its own on every call
    cwd = os.getcwd()
    umask = os.umask(0o022)
    os.umask(umask)
    main_thread = threading.current_thread() is threading.main_thread()
    handlers = {}
    for signum in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError, TypeError):
            handlers[signum] = signal.getsignal(signum)
    loggers = _logging_state()
    _replace_environ(env)
    sys.argv = [MOBIUS_BIN]
    try:
        with warnings.catch_warnings():
            # What a fresh interpreter shows, written to the run's stderr as Python would.
            warnings.resetwarnings()
            for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                             ResourceWarning):
                warnings.simplefilter("ignore", category)
            warnings.showwarning = _show_warning
            yield
    finally:
        _replace_environ(saved_env)
        sys.argv = saved_argv
        sys.excepthook = saved_hook
        os.umask(umask)
        with contextlib.suppress(OSError):
            os.chdir(cwd)
        if main_thread:
            for signum, handler in handlers.items():
                if handler is not None and signal.getsignal(signum) is not handler:
                    with contextlib.suppress(OSError, ValueError, TypeError):
                        signal.signal(signum, handler)
        _restore_logging(loggers)
        _reset_libraries()


def _replace_environ(env: Mapping[str, str]) -> None:
    """Make os.environ exactly `env`, touching only what differs."""
    current = os.environ
    for key in [k for k in current if k not in env]:
        del current[key]
    for key, value in env.items():
        if current.get(key) != value:
            current[key] = value


def _show_warning(message: Any, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


def _logging_state() -> dict[str, tuple[Any, ...]]:
    loggers = {"": logging.getLogger()}
    loggers.update({name: obj for name, obj in logging.root.manager.loggerDict.items()
                    if isinstance(obj, logging.Logger)})
    return {name: (log, log.level, list(log.handlers), log.propagate, log.disabled)
            for name, log in loggers.items()}


def _restore_logging(saved: dict[str, tuple[Any, ...]]) -> None:
    for log, level, handlers, propagate, disabled in saved.values():
        log.setLevel(level)
        log.handlers[:] = handlers
        log.propagate, log.disabled = propagate, disabled
    for name, obj in list(logging.root.manager.loggerDict.items()):
        if name not in saved and isinstance(obj, logging.Logger):
            obj.handlers.clear()
            obj.setLevel(logging.NOTSET)
    logging.disable(logging.NOTSET)


def _reset_libraries() -> None:
    """Library-level choices a process makes once: made afresh by the next run."""
    keyring_core = sys.modules.get("keyring.core")
    if keyring_core is not None:
        keyring_core._keyring_backend = None  # chosen from PYTHON_KEYRING_BACKEND
    rich = sys.modules.get("rich")
    if rich is not None:
        rich._console = None  # bound to the old stdout and environment
    for reset in RESETS:
        reset()


# --- the package's own state ---------------------------------------------------------


_preloaded = False


def _preload() -> None:
    """Import every mobius_cli module once, so each is snapshotted before its first run."""
    global _preloaded
    if _preloaded:
        return
    _preloaded = True
    package = importlib.import_module(PACKAGE)
    for info in pkgutil.walk_packages(package.__path__, PACKAGE + "."):
        if info.name.endswith("__main__"):
            continue
        with contextlib.suppress(Exception):
            importlib.import_module(info.name)


def _keep_cache(qualname: str) -> bool:
    return any(qualname.startswith(k) if k.endswith(".") else qualname == k
               for k in KEEP_CACHES)


def _own(value: Any, module: str) -> bool:
    return getattr(value, "__module__", None) == module


def _snapshot_object(obj: Any) -> dict[str, Any]:
    try:
        return dict(vars(obj))
    except TypeError:
        return {}


_PLAIN = (types.FunctionType, types.BuiltinFunctionType, types.ModuleType, str, bytes, int,
          float, complex, bool, frozenset, tuple, type(None))


class _Plan:
    """Which globals of a module can hold state: worked out once per module layout."""

    def __init__(self, module: types.ModuleType) -> None:
        name = module.__name__
        namespace = vars(module)
        self.module = module
        self.size = len(namespace)
        self.containers: list[str] = []  # dict, list and set globals
        self.classes: list[tuple[str, list[str]]] = []  # classes defined here, mutable attrs
        self.instances: list[str] = []  # module-level instances of the package's classes
        self.caches: list[str] = []  # functools caches to clear after a run
        for key, value in namespace.items():
            if key.startswith("__"):  # __builtins__ and the like
                continue
            if isinstance(value, _MUTABLE):
                self.containers.append(key)
            elif isinstance(value, type):
                if _own(value, name):
                    mutable = [k for k, v in vars(value).items()
                               if isinstance(v, _MUTABLE) and not k.startswith("__")]
                    self.classes.append((key, mutable))
            elif callable(getattr(value, "cache_clear", None)):
                if _own(value, name) and not _keep_cache(f"{name}.{key}"):
                    self.caches.append(key)
            elif not isinstance(value, _PLAIN) and hasattr(value, "__dict__") and \
                    (type(value).__module__ or "").startswith(PACKAGE):
                self.instances.append(key)


_plans: dict[str, _Plan] = {}


def _plan(module: types.ModuleType) -> _Plan:
    plan = _plans.get(module.__name__)
    if plan is None or plan.module is not module or plan.size != len(vars(module)):
        plan = _plans[module.__name__] = _Plan(module)
    return plan


class _Snapshot:
    """One module's globals, with copies of its mutable values and of its classes' and
    instances' attributes."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.plan = plan = _plan(module)
        self.globals = namespace = dict(vars(module))
        self.contents: list[tuple[Any, Any]] = []
        self.objects: list[tuple[Any, dict[str, Any]]] = []
        for key in plan.containers:
            self._keep(namespace.get(key))
        for key, mutable in plan.classes:
            cls = namespace.get(key)
            if isinstance(cls, type):
                attrs = dict(vars(cls))
                self.objects.append((cls, attrs))
                for attr in mutable:
                    self._keep(attrs.get(attr))
        for key in plan.instances:
            obj = namespace.get(key)
            state = _snapshot_object(obj)
            self.objects.append((obj, state))
            for value in state.values():
                self._keep(value)

    def _keep(self, value: Any) -> None:
        if isinstance(value, _MUTABLE):
            self.contents.append((value, value.copy()))

    def restore(self) -> None:
        namespace = vars(self.module)
        if not _same(namespace, self.globals):
            for key, value in self.globals.items():
                if namespace.get(key, _MISSING) is not value:
                    namespace[key] = value
        for value, copy in self.contents:
            if value != copy:
                value.clear()
                value.update(copy) if not isinstance(value, list) else value.extend(copy)
        for obj, state in self.objects:
            current = vars(obj) if isinstance(obj, type) else _snapshot_object(obj)
            if _same(current, state):
                continue
            for key, value in state.items():
                if current.get(key, _MISSING) is not value:
                    with contextlib.suppress(AttributeError, TypeError):
                        setattr(obj, key, value)
            for key in current.keys() - state.keys():
                with contextlib.suppress(AttributeError, TypeError):
                    delattr(obj, key)
        for key in self.plan.caches:
            self.globals[key].cache_clear()


_MISSING = object()


def _same(current: Mapping[str, Any], saved: dict[str, Any]) -> bool:
    """True when nothing was rebound (compared in C: identical values compare equal without
    calling __eq__; a value rebound to an equal one is as good as the old one)."""
    try:
        return bool(current == saved)
    except Exception:  # a value whose == cannot answer (an array): look key by key
        return False


def _package_modules() -> list[types.ModuleType]:
    return [m for name, m in list(sys.modules.items())
            if m is not None and (name == PACKAGE or name.startswith(PACKAGE + "."))]


@contextlib.contextmanager
def _package_state() -> Iterator[None]:
    """Put every mobius_cli module back as this run found it (see the module doc)."""
    snapshots = [_Snapshot(module) for module in _package_modules()]
    try:
        yield
    finally:
        for snap in snapshots:
            snap.restore()


__all__ = ["KEEP_CACHES", "MOBIUS_BIN", "RESETS", "cache_click_commands",
           "install_process_caches", "run_cli", "run_in_process", "run_python_forked",
           "run_subprocess", "share_ssl_context"]
