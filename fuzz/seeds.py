#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora of the fuzz targets (fuzz/README.md) from the
tests' inputs: the example scenarios and studies, captures built with scapy
as the replay tests build theirs, and frames of every kind the traffic source
and the stack tests send. Usage: seeds.py OUT_DIR (writes OUT_DIR/scenario,
OUT_DIR/pcap, OUT_DIR/frame; the committed corpora under fuzz/corpus/ are
its output, plus the crashing inputs the fuzzers found)."""
import hashlib
import pathlib
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Dot1Q, Ether, Raw, fragment, wrpcap
from scapy.utils import PcapNgWriter

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOST_MAC, HOST_IP = "02:00:00:00:00:10", "10.0.1.2"
SRC_MAC, SRC_IP = "02:00:00:00:00:01", "10.0.0.1"


def put(folder, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


def scenarios(out):
    for f in sorted((ROOT / "testbench/scenarios").glob("*.toml")) + sorted((ROOT / "studies").glob("*.toml")):
        put(out, f.read_bytes())
    # a scenario and --set overrides (after a NUL byte, one a line)
    put(out, b'[nic]\nmodel = "double"\n\0run.duration_us=50\ntraffic.size=uniform:64:1518\napp.mode=select\n')
    put(out, b'[traffic]\npattern = "onoff"\non_us = 5\noff_us = 5\n\0trace.trigger=host.softirq>=3\n')
    put(out, b'[igb]\nrx_ring = 100\nrx_usecs = 3\n[kernel]\ncpus = 4\n\0app.cpu=3\n')


def frames():
    """(name, frame bytes) of the kinds the traffic source and the stack tests send."""
    e = Ether(dst=HOST_MAC, src=SRC_MAC)
    payload = bytes(range(64))
    out = [
        e / IP(src=SRC_IP, dst=HOST_IP) / UDP(sport=30000, dport=9000) / Raw(payload),
        e / IP(src=SRC_IP, dst=HOST_IP) / UDP(sport=30001, dport=9001) / Raw(payload * 20),
        e / IP(src="10.0.0.5", dst=HOST_IP) / TCP(sport=40000, dport=5001, seq=1000001, ack=1, flags="A") / Raw(payload),
        e / IP(src="10.0.0.5", dst=HOST_IP) / TCP(sport=40000, dport=5001, seq=1000200, ack=1, flags="PA") / Raw(payload),
        e / IP(src=SRC_IP, dst=HOST_IP) / UDP(sport=30000, dport=9) / Raw(payload),  # closed port
        e / IP(src=SRC_IP, dst=HOST_IP) / TCP(sport=39999, dport=9, flags="A"),  # closed TCP port
        e / IP(src=SRC_IP, dst=HOST_IP, ihl=6, options=b"\x01\x01\x01\x01") / UDP(dport=9002) / Raw(payload),
        e / IP(src=SRC_IP, dst=HOST_IP) / ICMP() / Raw(payload),
        Ether(dst="ff:ff:ff:ff:ff:ff", src=SRC_MAC) / ARP(psrc=SRC_IP, pdst=HOST_IP, hwsrc=SRC_MAC),
        e / Dot1Q(vlan=5) / IP(src=SRC_IP, dst=HOST_IP) / UDP(dport=9003) / Raw(payload),
        Ether(dst="02:00:00:00:00:45", src=SRC_MAC) / IP(src=SRC_IP, dst=HOST_IP) / UDP(dport=9000) / Raw(payload),
    ]
    raw = [bytes(p) for p in out]
    # fragments of one datagram (the reassembly path)
    big = e / IP(src=SRC_IP, dst=HOST_IP, id=77) / UDP(sport=30000, dport=9000) / Raw(payload * 30)
    raw += [bytes(f) for f in fragment(big, fragsize=800)]
    raw.append(bytes(e / IP(src=SRC_IP, dst=HOST_IP, chksum=0x1234) / UDP(dport=9000) / Raw(payload)))  # bad IP csum
    raw.append(bytes(e)[:14] + b"\x88\xb5" + bytes(50))  # local experimental EtherType
    return raw


def record(flags, data, error_at=None):
    r = struct.pack("<BH", flags, len(data))
    if error_at is not None:
        r += struct.pack("<H", error_at)
    return r + data


def frame_inputs(out):
    raw = frames()
    for f in raw:
        put(out, record(0, f))
    # several frames in one input; the checksum-fixing and fault flags
    put(out, record(0, raw[0]) + record(0, raw[2]) + record(0, raw[3]))
    put(out, record(0xE0, raw[1]))
    put(out, record(0x01, raw[0]) + record(0x08, raw[0]) + record(0x10, raw[1]))
    put(out, record(0x04, raw[0], 20) + record(0x02, raw[0] + b"\0\0\0\0"))
    put(out, record(0, raw[0][:40]) + record(0, raw[1] + bytes(1600)))  # runt, oversize


def pcaps(out, tmp):
    raw = frames()
    pk = [Ether(f) for f in raw[:6]]
    for i, p in enumerate(pk):
        p.time = 1700000000 + i * 0.000010
    wrpcap(str(tmp / "us.pcap"), pk)
    wrpcap(str(tmp / "ns.pcap"), pk, nano=True)
    back = list(pk)
    back[2].time = 1600000000  # a record stamped before an earlier one
    wrpcap(str(tmp / "back.pcap"), back)
    short = Ether(raw[0][:30])
    wrpcap(str(tmp / "short.pcap"), [short])  # under the Ethernet minimum (padded when replayed)
    wrpcap(str(tmp / "cut.pcap"), pk[:2], snaplen=40)  # snapshot-truncated
    with PcapNgWriter(str(tmp / "ng.pcapng")) as w:
        for p in pk:
            w.write(p)
    for f in sorted(tmp.iterdir()):
        put(out, f.read_bytes())
    # the truncated file and the empty one
    put(out, (tmp / "us.pcap").read_bytes()[:100])
    put(out, (tmp / "us.pcap").read_bytes()[:24])


def main():
    import tempfile

    out = pathlib.Path(sys.argv[1])
    scenarios(out / "scenario")
    frame_inputs(out / "frame")
    with tempfile.TemporaryDirectory() as t:
        pcaps(out / "pcap", pathlib.Path(t))


if __name__ == "__main__":
    main()
