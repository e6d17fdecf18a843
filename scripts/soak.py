#!/usr/bin/env python3
"""A mixed soak of the controller: steady FIFO and queue load (two sensors,
500 reports a second each) and a SIGHUP and a SIGUSR2 every 30 seconds, for
a number of minutes. Samples RSS and open descriptors at the start and the
end, then checks the event log (seq contiguous, no problem) and that every
line and message sent is in it.

    scripts/soak.py [MINUTES] [BIN_DIR]     (default 10, target/release)
"""

import json, os, signal, subprocess, sys, tempfile, threading, time

MINUTES = float(sys.argv[1]) if len(sys.argv) > 1 else 10
BIN = sys.argv[2] if len(sys.argv) > 2 else "target/release"
RATE = 500  # lines a second on the FIFO, as many messages on the queue


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def main():
    work = tempfile.mkdtemp(prefix="homesec-soak.")
    instance = f"soak{os.getpid()}"
    controller = subprocess.Popen(
        [f"{BIN}/homesec-controller", "--instance", instance,
         "--runtime-dir", f"{work}/run", "--data-dir", f"{work}/data"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "RUST_LOG": "warn,homesec_controller=info", "NO_COLOR": "1"})
    for line in controller.stderr:
        if "ready" in line:
            break
    threading.Thread(target=lambda: [None for _ in controller.stderr], daemon=True).start()
    time.sleep(5)
    start = (rss_kb(controller.pid), fds(controller.pid))
    stop = threading.Event()
    sent = {"fifo": 0, "mq": 0}

    def fifo():
        fd = os.open(f"{work}/run/events.fifo", os.O_WRONLY)
        lines = [b"front-door open\n", b"front-door closed\n"]
        while not stop.is_set():
            for _ in range(RATE // 10):
                os.write(fd, lines[sent["fifo"] % 2])
                sent["fifo"] += 1
            time.sleep(0.1)
        os.close(fd)

    def queue():
        while not stop.is_set():
            subprocess.run([f"{BIN}/homesec-load", "write", "--queue", instance,
                            "--sensor", "back-door", "--count", str(RATE)], check=True)
            sent["mq"] += RATE
            time.sleep(1)

    threads = [threading.Thread(target=fifo), threading.Thread(target=queue)]
    for t in threads:
        t.start()
    deadline = time.time() + MINUTES * 60
    while time.time() < deadline:
        time.sleep(30)
        controller.send_signal(signal.SIGHUP)
        controller.send_signal(signal.SIGUSR2)
    stop.set()
    for t in threads:
        t.join()
    time.sleep(2)
    end = (rss_kb(controller.pid), fds(controller.pid))
    controller.send_signal(signal.SIGTERM)
    controller.wait()

    seqs, counted, problems = [], {"front-door": 0, "back-door": 0}, 0
    for name in sorted(os.listdir(f"{work}/data/events")):
        with open(f"{work}/data/events/{name}") as f:
            for line in f:
                try:
                    r = json.loads(line)
                except ValueError:
                    problems += 1
                    continue
                seqs.append(r["seq"])
                if r.get("kind") in ("sensor", "superseded") and r.get("sensor") in counted \
                        and r.get("source") in ("fifo", "mq"):
                    counted[r["sensor"]] += 1
    contiguous = seqs == list(range(1, len(seqs) + 1))
    print(f"soak of {MINUTES} min: {len(seqs)} records, seq contiguous: {contiguous}, bad lines: {problems}")
    print(f"FIFO lines sent {sent['fifo']}, in the log {counted['front-door']}")
    print(f"queue messages sent {sent['mq']}, in the log {counted['back-door']}")
    print(f"RSS {start[0]} kB -> {end[0]} kB; open descriptors {start[1]} -> {end[1]}")
    subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
