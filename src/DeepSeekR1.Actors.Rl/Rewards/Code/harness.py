# The code reward's test harness (docs/sandbox.md). It runs as `python3 -I -c` inside the sandbox, in two processes:
# this one is trusted and only reads, compares and reports; the forked child runs the model's program and the calls.
# stdin carries two length-prefixed JSON frames: {"program", "calls"} is read before the fork, and
# {"nonce", "expected"} after it, once the child has closed its stdin. So the program never holds the expected values
# or the nonce that authenticates the result line, and printing a fake result line cannot pass a test.
import ast, ctypes, json, os, signal, sys

MARK = "R1-SANDBOX-RESULT"
REPR_LIMIT = 65536
REPORT_LIMIT = 1 << 20


def read_frame():
    # Byte by byte up to the newline, then exactly the frame: reading ahead would buffer the second frame before the fork.
    digits = b""
    while True:
        ch = os.read(0, 1)
        if not ch:
            raise EOFError("stdin ended before a frame")
        if ch == b"\n":
            break
        digits += ch
    size, data = int(digits), b""
    while len(data) < size:
        chunk = os.read(0, size - len(data))
        if not chunk:
            raise EOFError("stdin ended inside a frame")
        data += chunk
    return json.loads(data.decode("utf-8"))


def report(nonce, passed, reasons):
    sys.stdout.write("\n" + MARK + " " + nonce + " " + json.dumps({"passed": passed, "reasons": reasons}) + "\n")
    sys.stdout.flush()


def child(program, calls, w):
    def send(message):
        os.write(w, (json.dumps(message) + "\n").encode("utf-8"))

    namespace = {"__name__": "__solution__", "__builtins__": __builtins__}
    try:
        exec(program, namespace)
    except BaseException as error:
        send({"load": type(error).__name__ + ": " + str(error)[:200]})
        return
    for i, call in enumerate(calls):
        try:
            text = repr(eval(call, namespace))
        except BaseException as error:
            send({"i": i, "error": type(error).__name__ + ": " + str(error)[:200]})
            continue
        if len(text) > REPR_LIMIT:
            send({"i": i, "error": "result over %d characters" % REPR_LIMIT})
        else:
            send({"i": i, "repr": text})


def main():
    # A backstop for the deadline r1 keeps: if r1 itself dies, this process still ends, and with it the sandbox's
    # PID namespace (a program asleep in the child uses no CPU, so RLIMIT_CPU would never end it).
    signal.alarm(int(sys.argv[1]))
    # Not dumpable: the child (same uid) cannot open /proc/<this pid>/fd/0 or /mem to read the second frame early.
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    first = read_frame()
    program, calls = first["program"], first["calls"]
    try:
        code = compile(program, "<answer>", "exec")
    except (SyntaxError, ValueError) as error:
        second = read_frame()
        report(second["nonce"], [False] * len(calls), ["syntax error: " + str(error)[:200]] * len(calls))
        return
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(0)
        os.close(r)
        try:
            child(code, calls, w)
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(0)
    os.close(w)
    second = read_frame()
    nonce, expected = second["nonce"], second["expected"]
    data = b""
    while len(data) <= REPORT_LIMIT:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    results, load = {}, None
    for line in data[:REPORT_LIMIT].decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if not isinstance(message, dict):
            continue
        if "load" in message:
            load = str(message["load"])
        elif isinstance(message.get("i"), int) and message["i"] not in results:
            results[message["i"]] = message
    if os.WIFSIGNALED(status):
        ended = "the program died of signal %d" % os.WTERMSIG(status)
    else:
        ended = "the program ended before this test (exit status %d)" % os.WEXITSTATUS(status)
    passed, reasons = [], []
    for i, want in enumerate(expected):
        message, why = results.get(i), None
        if load is not None:
            ok, why = False, "program failed to run: " + load
        elif message is None:
            ok, why = False, ended
        elif "error" in message:
            ok, why = False, str(message["error"])[:200]
        else:
            try:
                wanted = ast.literal_eval(want)
            except Exception:
                # The task's fault, not the program's: say so rather than blame the result.
                wanted, ok, why = None, False, "the test's expected value is not a Python literal: " + want[:100]
            if why is None:
                try:
                    got = ast.literal_eval(str(message.get("repr")))
                    ok = got == wanted
                    why = "passed" if ok else "wrong result " + str(message.get("repr"))[:100]
                except Exception as error:
                    ok, why = False, "result is not a plain value: " + type(error).__name__
        passed.append(bool(ok))
        reasons.append(why)
    report(nonce, passed, reasons)


main()
