"""The official kubernetes Python client (37.0.2) against a clusterbox cluster: create, list (with a label
selector), watch, patch (strategic merge dict and JSON patch list), a stale PUT (409) and delete of a ConfigMap.
Usage: kube_client_acceptance.py KUBECONFIG. Prints PASSED and exits 0 when everything held."""
import sys
import uuid

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
core = client.CoreV1Api()
name = "py-" + uuid.uuid4().hex[:8]
ns = "default"

body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels={"app": "py"}), data={"k": "v"})
created = core.create_namespaced_config_map(ns, body)
assert created.metadata.uid and created.metadata.resource_version, created.metadata
assert created.data == {"k": "v"}, created.data

listed = core.list_namespaced_config_map(ns, label_selector="app in (py)")
assert [item.metadata.name for item in listed.items] == [name], listed.items
assert core.list_namespaced_config_map(ns, label_selector="app=nobody").items == []

events = []
for event in watch.Watch().stream(core.list_namespaced_config_map, ns, label_selector="app=py", timeout_seconds=2):
    events.append((event["type"], event["object"].metadata.name))
assert ("ADDED", name) in events, events

patched = core.patch_namespaced_config_map(name, ns, {"metadata": {"labels": {"tier": "front"}}, "data": {"k2": "v2"}})
assert patched.metadata.labels == {"app": "py", "tier": "front"}, patched.metadata.labels
assert patched.data == {"k": "v", "k2": "v2"}, patched.data

stale = created
stale.data = {"k": "stale"}
try:
    core.replace_namespaced_config_map(name, ns, stale)
    raise AssertionError("a stale resourceVersion was accepted")
except ApiException as error:
    assert error.status == 409, error

try:
    core.read_namespaced_config_map("nosuch", ns)
    raise AssertionError("read of a missing ConfigMap succeeded")
except ApiException as error:
    assert error.status == 404, error

core.delete_namespaced_config_map(name, ns, propagation_policy="Background")
try:
    core.read_namespaced_config_map(name, ns)
    raise AssertionError("the ConfigMap survived its delete")
except ApiException as error:
    assert error.status == 404, error
print("PASSED")
