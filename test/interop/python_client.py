"""A nest-duplex client written against proto/duplex.proto and docs/protocol.md only, with Python's
grpcio (Debian's python3-grpcio / python3-grpc-tools). The proto is compiled at run time into a
temporary folder. Usage: python_client.py PROTO_DIR ADDRESS TOKEN
Prints one JSON line per step; exits non-zero on any surprise."""
import json
import os
import queue
import sys
import tempfile
import threading
import time
import uuid

import grpc
from grpc_tools import protoc


def compile_proto(proto_dir):
    out = tempfile.mkdtemp(prefix="duplex-py-")
    code = protoc.main(["protoc", f"-I{proto_dir}", f"--python_out={out}", f"--grpc_python_out={out}", os.path.join(proto_dir, "duplex.proto")])
    if code != 0:
        raise SystemExit(f"protoc failed: {code}")
    sys.path.insert(0, out)
    import duplex_pb2
    import duplex_pb2_grpc
    return duplex_pb2, duplex_pb2_grpc


def main():
    proto_dir, address, token = sys.argv[1], sys.argv[2], sys.argv[3]
    pb, pb_grpc = compile_proto(proto_dir)
    outgoing = queue.Queue()

    def requests():
        while True:
            item = outgoing.get()
            if item is None:
                return
            yield item

    def envelope(type_, action, data, seq=None, reply_to=None):
        kwargs = dict(id=str(uuid.uuid4()), type=type_, action=action, data_json=json.dumps(data), timestamp=time.time(), session_id="")
        if seq is not None:
            kwargs["seq"] = seq
        if reply_to is not None:
            kwargs["reply_to"] = reply_to
        return pb.Envelope(**kwargs)

    channel = grpc.insecure_channel(address)
    stub = pb_grpc.DuplexStub(channel)
    responses = stub.Connect(requests(), metadata=(("token", token),), timeout=20)
    incoming = queue.Queue()
    threading.Thread(target=lambda: [incoming.put(m) for m in responses], daemon=True).start()

    def expect(predicate, what):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                m = incoming.get(timeout=deadline - time.time())
            except queue.Empty:
                break
            if m.type == "heartbeat" and not m.reply_to:
                outgoing.put(envelope("heartbeat", "", {}, reply_to=m.id))
                continue
            if predicate(m):
                return m
        raise SystemExit(f"timed out waiting for {what}")

    hello = envelope("request", "$hello", {})
    outgoing.put(hello)
    welcome = expect(lambda m: m.action == "$hello" and m.reply_to == hello.id, "the welcome")
    session = json.loads(welcome.data_json)["session_id"]
    print(json.dumps({"step": "welcome", "session_id": session, "resumed": json.loads(welcome.data_json)["resumed"]}), flush=True)

    echo = envelope("request", "echo", {"text": "from python", "n": 3}, seq=1)
    outgoing.put(echo)
    answer = expect(lambda m: m.reply_to == echo.id, "the echo")
    print(json.dumps({"step": "echo", "type": answer.type, "seq": answer.seq, "ack": answer.ack, "data": json.loads(answer.data_json)}), flush=True)

    # Ask the server (through a handler) to send us a notification, then read it.
    ask = envelope("request", "notify-me", {"text": "ping"}, seq=2)
    outgoing.put(ask)
    note = expect(lambda m: m.type == "notification" and m.action == "pinged", "the notification")
    print(json.dumps({"step": "notification", "seq": note.seq, "data": json.loads(note.data_json)}), flush=True)
    expect(lambda m: m.reply_to == ask.id, "the notify-me answer")

    bye = envelope("request", "$bye", {})
    outgoing.put(bye)
    farewell = expect(lambda m: m.reply_to == bye.id, "the goodbye's answer")
    print(json.dumps({"step": "bye", "type": farewell.type, "action": farewell.action}), flush=True)
    outgoing.put(None)
    channel.close()


if __name__ == "__main__":
    main()
