#!/usr/bin/env python3
"""Markdown summary of the JSON lines of benches/tls.sh and benches/udp.sh.

  benches/summary.py [--baseline NAME] [--order A,B,...] FILE.jsonl ...
  benches/summary.py --brief < LINE          (one line's figures, for the progress log)

Groups lines by (case, server). Per cell: the median over rounds of the case's throughput
metric (handshakes_per_s, dgrams_per_s, rt_per_s or mb_per_s, whichever the line has),
its spread ((max - min) / median), the ratio to the baseline server (the median of the
per-round ratios, which cancels drift between rounds, with their min-max), the median
server CPU % and server CPU per unit (us per round trip / handshake / datagram, or per MB)
with its ratio, the load generator's busy %, errors and (UDP) loss. Bound: S = server CPU
>= 90% (the figure measures the server), C = load generator >= 90% busy and server below
(a floor for the server: compare CPU per unit), S+C both, L neither (latency-bound).
Standard library only.
"""
import argparse
import json
import statistics
import sys

METRICS = [  # (field, unit, cpu field, cpu unit)
    ("handshakes_per_s", "hs/s", "server_cpu_us_per_op", "µs/hs"),
    ("dgrams_per_s", "dgram/s", "server_cpu_us_per_op", "µs/dgram"),
    ("rt_per_s", "rt/s", "server_cpu_us_per_op", "µs/rt"),
    ("mb_per_s", "MB/s", "server_cpu_us_per_mb", "µs/MB"),
]


def fmt(v, kind="n"):
    if v is None:
        return "—"
    if kind == "pct":
        return f"{v:.0f}%"
    if kind == "ratio":
        return f"{v:.2f}×"
    a = abs(v)
    if a >= 10_000:
        return f"{v/1000:.1f}k"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def brief(line):
    try:
        d = json.loads(line)
    except json.JSONDecodeError:
        return line.strip()
    k = next((m[0] for m in METRICS if m[0] in d), None)
    if k is None:
        return f"errors={d.get('errors')} {d.get('error', '')}"
    out = f"{k}={fmt(d[k])} server_cpu={fmt(d.get('server_cpu_pct'), 'pct')} errors={d.get('errors')}"
    if "loss_pct" in d:
        out += f" loss={d['loss_pct']}%"
    if d.get("server_died"):
        out += " SERVER DIED"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline")
    ap.add_argument("--order")
    ap.add_argument("--brief", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    if a.brief:
        print(brief(sys.stdin.read()))
        return
    rows = []
    for f in a.files:
        for line in open(f):
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    cells, cases, servers = {}, [], []
    for r in rows:
        c, s = r.get("case", "?"), r.get("server", "?")
        if c not in cases:
            cases.append(c)
        if s not in servers:
            servers.append(s)
        cells.setdefault((c, s), {})[str(r.get("round", "1"))] = r
    if a.order:
        order = [s for s in a.order.split(",") if s in servers]
        servers = order + [s for s in servers if s not in order]
    base = a.baseline if a.baseline in servers else (servers[0] if servers else None)
    print(f"Medians over rounds; ratios to **{base}** (median of per-round ratios, min–max).\n")
    for c in cases:
        sample = next((r for s in servers for r in cells.get((c, s), {}).values()), {})
        m = next((m for m in METRICS if m[0] in sample), None)
        if m is None:
            print(f"### {c}\n\nno result lines with a throughput metric\n")
            continue
        key, unit, ckey, cunit = m
        desc = ", ".join(
            f"{k}={sample[k]}" for k in ("conns", "window", "size", "resumption", "cipher_suite", "kx_group")
            if k in sample
        )
        print(f"### {c} ({desc})\n")
        udp = "lost" in sample
        head = ["server", "rounds", unit, "spread", f"ratio", "ratio min–max", "server CPU", cunit,
                f"{cunit} ratio", "client busy", "bound", "errors"]
        if udp:
            head.append("loss")
        print("| " + " | ".join(head) + " |")
        print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        bvals = cells.get((c, base), {})
        for s in servers:
            runs = cells.get((c, s), {})
            if not runs:
                continue
            vals = [r.get(key) for r in runs.values() if r.get(key) is not None]
            mv = med(vals)
            spread = (max(vals) - min(vals)) / mv if vals and mv else None
            rat, crat = [], []
            for rnd, r in runs.items():
                b = bvals.get(rnd)
                if b and b.get(key) and r.get(key) is not None:
                    rat.append(r[key] / b[key])
                if b and b.get(ckey) and r.get(ckey) is not None:
                    crat.append(r[ckey] / b[ckey])
            scpu = med([r.get("server_cpu_pct") for r in runs.values()])
            busy = med([r.get("client_busy_pct") for r in runs.values()])
            bound = "—"
            if scpu is not None and busy is not None:
                bound = {(True, True): "S+C", (True, False): "S", (False, True): "C",
                         (False, False): "L"}[(scpu >= 90, busy >= 90)]
            errs = sum(int(r.get("errors", 0) or 0) for r in runs.values())
            died = sum(1 for r in runs.values() if r.get("server_died"))
            row = [
                s, str(len(runs)), fmt(mv), fmt(spread * 100 if spread is not None else None, "pct"),
                fmt(med(rat), "ratio"),
                f"{min(rat):.2f}–{max(rat):.2f}" if rat else "—",
                fmt(scpu, "pct"), fmt(med([r.get(ckey) for r in runs.values()])),
                fmt(med(crat), "ratio"), fmt(busy, "pct"), bound,
                str(errs) + (f" ({died} died)" if died else ""),
            ]
            if udp:
                lp = med([r.get("loss_pct") for r in runs.values()])
                row.append(f"{lp:.2f}%" if lp is not None else "—")
            print("| " + " | ".join(row) + " |")
        print()


if __name__ == "__main__":
    main()
