#!/usr/bin/env python3
"""How many accepted events a SIGKILL of the controller loses, per channel.

For each round: a controller runs in temp dirs; one writer floods the POSIX
queue (`homesec-load write --queue`, which waits while the queue is full)
and one floods the FIFO (this script, one write(2) per line, counting the
writes that succeeded); at a random moment the controller is SIGKILLed and
started again. Afterwards every line and message that was handed to the
kernel is looked for in the event log (as a `sensor` or `superseded`
record of its sensor). The difference is the crash-window loss: taken from
the queue or the pipe by the dead controller, not yet durable. (A FIFO
writer that closes on EPIPE would lose the pipe's buffer too, up to 64 KiB;
this one keeps the FIFO open, as a sensor process or a careful script does.)

    scripts/crash-window.py [ROUNDS] [BIN_DIR]     (default 10, target/release)
"""

import json, os, random, signal, subprocess, sys, tempfile, threading, time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
BIN = sys.argv[2] if len(sys.argv) > 2 else "target/release"
QUEUE_COUNT = 200_000


def start(instance, work):
    proc = subprocess.Popen(
        [f"{BIN}/homesec-controller", "--instance", instance,
         "--runtime-dir", f"{work}/run", "--data-dir", f"{work}/data"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "RUST_LOG": "info", "NO_COLOR": "1"})
    for line in proc.stderr:
        if "ready" in line:
            break
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc


def fifo_writer(path, stop, sent):
    """Writes lines until `stop`; a line refused (EPIPE: no reader while the
    controller is down) is tried again later and not counted. The FIFO
    stays open throughout, so what waits in the pipe survives the crash."""
    fd = os.open(path, os.O_WRONLY)
    states = [b"front-door open\n", b"front-door closed\n"]
    try:
        while not stop.is_set():
            try:
                os.write(fd, states[sent[0] % 2])
                sent[0] += 1
            except BrokenPipeError:
                time.sleep(0.01)
    finally:
        os.close(fd)


def count(work, sensor):
    n = 0
    for name in os.listdir(f"{work}/data/events"):
        with open(f"{work}/data/events/{name}") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    continue
                if r.get("kind") in ("sensor", "superseded") and r.get("sensor") == sensor:
                    n += 1
    return n


def round_(n):
    work = tempfile.mkdtemp(prefix="homesec-crash.")
    instance = f"crash{os.getpid()}-{n}"
    controller = start(instance, work)
    queue = subprocess.Popen(
        [f"{BIN}/homesec-load", "write", "--queue", instance,
         "--sensor", "hall-motion", "--count", str(QUEUE_COUNT)],
        stderr=subprocess.DEVNULL)
    stop, fifo_sent = threading.Event(), [0]
    fifo = threading.Thread(target=fifo_writer, args=(f"{work}/run/events.fifo", stop, fifo_sent))
    fifo.start()
    time.sleep(random.uniform(0.2, 1.0))
    controller.send_signal(signal.SIGKILL)
    controller.wait()
    controller = start(instance, work)
    queue.wait()
    stop.set()
    fifo.join()
    controller.send_signal(signal.SIGTERM)
    controller.wait()
    queue_lost = QUEUE_COUNT - count(work, "hall-motion")
    fifo_lost = fifo_sent[0] - count(work, "front-door")
    subprocess.run(["rm", "-rf", work])
    return queue_lost, fifo_lost


def main():
    results = [round_(n) for n in range(ROUNDS)]
    for n, (q, f) in enumerate(results):
        print(f"round {n + 1}: queue lost {q}, FIFO lost {f}")
    qs, fs = [q for q, _ in results], [f for _, f in results]
    print(f"queue: lost per SIGKILL min {min(qs)} max {max(qs)} mean {sum(qs) / len(qs):.1f}")
    print(f"FIFO:  lost per SIGKILL min {min(fs)} max {max(fs)} mean {sum(fs) / len(fs):.1f}")


if __name__ == "__main__":
    main()
