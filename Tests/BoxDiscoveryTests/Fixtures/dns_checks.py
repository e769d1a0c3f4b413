"""Checks a live clusterbox DNS server with dnspython, as a client library would use it.

Usage: dns_checks.py HOST PORT. Serves the zones of ServerTestZones.swift. Prints one line per check and
"all N checks passed" at the end; exits 1 if any check failed.
"""

import socket
import sys
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.reversename

HOST = sys.argv[1]
PORT = int(sys.argv[2])
TIMEOUT = 2.0
failures = []
checks = 0


def check(name, condition, detail=""):
    global checks
    checks += 1
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)))
    if not condition:
        failures.append(name)


def udp(qname, rdtype, **kwargs):
    return dns.query.udp(dns.message.make_query(qname, rdtype, **kwargs), HOST, timeout=TIMEOUT, port=PORT)


def tcp(qname, rdtype, **kwargs):
    return dns.query.tcp(dns.message.make_query(qname, rdtype, **kwargs), HOST, timeout=TIMEOUT, port=PORT)


def rdata(response, rdtype, section="answer"):
    return sorted(rd.to_text() for rrset in getattr(response, section) if rrset.rdtype == rdtype for rd in rrset)


# A: three records, authoritative, TTL 5.
r = udp("web-prod.marathon.mesos", "A")
check("A rcode", r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode()))
check("A authoritative", r.flags & dns.flags.AA)
check("A records", rdata(r, dns.rdatatype.A) == ["127.96.0.10", "127.96.0.11", "127.96.0.12"], r)
check("A ttl", all(rrset.ttl == 5 for rrset in r.answer), r)

# SRV: three targets, each with its A record in the additional section.
r = udp("_web-prod._tcp.marathon.mesos", "SRV", use_edns=0)
expected = ["0 1 %d web-prod-%d.marathon.mesos." % (31000 + i, i) for i in range(3)]
check("SRV records", rdata(r, dns.rdatatype.SRV) == expected, r)
check("SRV additional", rdata(r, dns.rdatatype.A, "additional") == ["127.96.0.10", "127.96.0.11", "127.96.0.12"], r)
check("SRV keeps EDNS", r.edns == 0, r.edns)

# PTR through the reverse zone.
r = udp(dns.reversename.from_address("127.96.0.10"), "PTR")
check("PTR", rdata(r, dns.rdatatype.PTR) == ["web-prod-0.marathon.mesos."], r)

# SOA at the apex.
r = udp("mesos", "SOA")
check("SOA", rdata(r, dns.rdatatype.SOA) == ["ns1.mesos. root.ns1.mesos. 7 60 10 3600 5"], r)

# NXDOMAIN with the zone's SOA in the authority section, over UDP and TCP.
for transport, ask in (("UDP", udp), ("TCP", tcp)):
    r = ask("nope.marathon.mesos", "A")
    check("NXDOMAIN over " + transport, r.rcode() == dns.rcode.NXDOMAIN and not r.answer, r)
    check("NXDOMAIN SOA over " + transport, [rrset.name.to_text() for rrset in r.authority] == ["mesos."], r)

# 60 records: truncated over UDP without EDNS, then whole over TCP.
query = dns.message.make_query("big.marathon.mesos", "A", use_edns=False)
r = dns.query.udp(query, HOST, timeout=TIMEOUT, port=PORT)
check("TC without EDNS", r.flags & dns.flags.TC and len(rdata(r, dns.rdatatype.A)) < 60, r)
r, used_tcp = dns.query.udp_with_fallback(query, HOST, timeout=TIMEOUT, port=PORT)
check("TC then TCP", used_tcp and len(rdata(r, dns.rdatatype.A)) == 60, (used_tcp, r))
r = tcp("big.marathon.mesos", "A")
check("TCP directly", len(rdata(r, dns.rdatatype.A)) == 60, r)
r = udp("big.marathon.mesos", "A", use_edns=0, payload=1232)
check("EDNS 1232 fits 60", not r.flags & dns.flags.TC and len(rdata(r, dns.rdatatype.A)) == 60, r)

# No recursion desired, mixed case: RD is echoed clear, the question keeps its spelling.
query = dns.message.make_query("LeAdEr.MeSoS", "A")
query.flags &= ~dns.flags.RD
r = dns.query.udp(query, HOST, timeout=TIMEOUT, port=PORT)
check("norecurse", not r.flags & dns.flags.RD and r.flags & dns.flags.AA, r)
check("mixed case question", r.question[0].name.to_text() == "LeAdEr.MeSoS.", r.question)
check("mixed case answer", rdata(r, dns.rdatatype.A) == ["127.96.0.1"], r)

# Several queries on one TCP connection.
with socket.create_connection((HOST, PORT), timeout=TIMEOUT) as sock:
    names = ["leader.mesos", "web-prod.marathon.mesos", "api.default.svc.cluster.local"]
    answers = []
    for name in names:
        dns.query.send_tcp(sock, dns.message.make_query(name, "A"))
        response, _ = dns.query.receive_tcp(sock, expiration=time.time() + TIMEOUT)
        answers.append(len(rdata(response, dns.rdatatype.A)))
    check("one TCP connection, three queries", answers == [1, 3, 1], answers)

# A name outside the zones: REFUSED (the server is not forwarding here).
r = udp("example.com", "A")
check("outside REFUSED", r.rcode() == dns.rcode.REFUSED, dns.rcode.to_text(r.rcode()))

if failures:
    print("%d of %d checks failed: %s" % (len(failures), checks, ", ".join(failures)))
    sys.exit(1)
print("all %d checks passed" % checks)
