"""The backend's view: Python grpcio (Debian's python3-grpcio) calling a
running videoplatformd, the way Reflector will.

Run by Bazel (see BUILD): argv[1] is the videoplatformd binary, argv[2] the
proto root. Stubs are generated at test time with grpc_tools.protoc.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

SERVER_BINARY = os.path.abspath(sys.argv[1])
PROTO_ROOT = os.path.abspath(sys.argv[2])
WORK_DIR = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


def generate_stubs():
    """Compiles the v1 API into WORK_DIR and imports it. Uses Debian's protoc
    (3.21, which knows proto3 `optional`) with Debian's grpc_python_plugin;
    grpc_tools' bundled protoc is older."""
    subprocess.run([
        "/usr/bin/protoc", f"-I{PROTO_ROOT}", "-I/usr/include",
        "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
        f"--python_out={WORK_DIR}", f"--grpc_python_out={WORK_DIR}",
        os.path.join(PROTO_ROOT, "videoplatform/v1/videoplatform.proto"),
    ], check=True)
    sys.path.insert(0, WORK_DIR)


generate_stubs()
from videoplatform.v1 import videoplatform_pb2 as pb  # noqa: E402
from videoplatform.v1 import videoplatform_pb2_grpc as pb_grpc  # noqa: E402


class Server:
    """videoplatformd on 127.0.0.1:0 with the mock provider as default."""

    def __init__(self, token=""):
        self.port_file = os.path.join(WORK_DIR, f"port-{time.monotonic_ns()}")
        env = {
            "PATH": "/usr/bin:/bin",
            "DAILY_MIGRATION_ENABLED": "true",
            "DEFAULT_VIDEO_PLATFORM": "mock",
        }
        if token:
            env["VIDEOPLATFORM_API_TOKEN"] = token
        self.log = open(os.path.join(WORK_DIR, "server.log"), "ab")
        self.process = subprocess.Popen(
            [SERVER_BINARY, "--listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
             f"--db={os.path.join(WORK_DIR, 'videoplatform.db')}",
             f"--port_file={self.port_file}"],
            env=env, stdout=self.log, stderr=self.log)
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                with open(self.port_file) as f:
                    return int(f.read().strip())
            except (FileNotFoundError, ValueError):
                time.sleep(0.01)
        raise RuntimeError("server did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.log.close()
        return code


class BackendClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.channel = grpc.insecure_channel(f"127.0.0.1:{cls.server.port}")
        grpc.channel_ready_future(cls.channel).result(timeout=30)
        cls.stub = pb_grpc.VideoPlatformServiceStub(cls.channel)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        assert cls.server.stop() == 0

    def test_create_get_and_end_a_meeting(self):
        room = pb.RoomSettings(room_id="py-room", room_name="Python Room",
                               is_locked=False,
                               room_mode=pb.ROOM_MODE_NORMAL,
                               recording_type=pb.RECORDING_TYPE_CLOUD,
                               recording_trigger=pb.RECORDING_TRIGGER_AUTOMATIC)
        created = self.stub.CreateMeeting(
            pb.CreateMeetingRequest(room=room, idempotency_key="py-1"),
            timeout=20)
        self.assertTrue(created.created)
        meeting = created.meeting
        self.assertEqual(meeting.platform, "mock")
        self.assertEqual(meeting.room_id, "py-room")
        self.assertTrue(meeting.room_url.startswith("https://"))
        self.assertEqual(meeting.recording_trigger, pb.RECORDING_TRIGGER_AUTOMATIC)
        hours = (meeting.end_time.ToSeconds() - meeting.start_time.ToSeconds()) / 3600
        self.assertAlmostEqual(hours, 8, delta=0.01)

        again = self.stub.CreateMeeting(
            pb.CreateMeetingRequest(room=room, idempotency_key="py-1"), timeout=20)
        self.assertFalse(again.created)
        self.assertEqual(again.meeting.meeting_id, meeting.meeting_id)

        got = self.stub.GetMeeting(
            pb.GetMeetingRequest(meeting_id=meeting.meeting_id), timeout=20)
        self.assertEqual(got.meeting, meeting)

        ended = self.stub.EndMeeting(
            pb.EndMeetingRequest(meeting_id=meeting.meeting_id), timeout=20)
        self.assertFalse(ended.meeting.is_active)

    def test_flags_route_rooms(self):
        self.stub.SetRoomPlatform(
            pb.SetRoomPlatformRequest(room_id="py-daily", platform="daily",
                                      updated_by="python"), timeout=20)
        resolved = self.stub.ResolvePlatform(
            pb.ResolvePlatformRequest(room_id="py-daily"), timeout=20)
        self.assertEqual(resolved.platform, "daily")
        self.assertEqual(resolved.reason, pb.RESOLUTION_REASON_ROOM_OVERRIDE)
        with self.assertRaises(grpc.RpcError) as error:
            self.stub.CreateMeeting(pb.CreateMeetingRequest(
                room=pb.RoomSettings(room_id="py-daily", room_name="Daily")),
                timeout=20)
        self.assertEqual(error.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertIn("DAILY_API_KEY", error.exception.details())

    def test_bad_input_names_the_field(self):
        with self.assertRaises(grpc.RpcError) as error:
            self.stub.CreateMeeting(pb.CreateMeetingRequest(
                room=pb.RoomSettings(room_id="py-room")), timeout=20)
        self.assertEqual(error.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(error.exception.details().startswith("room.room_name"))


class AuthTest(unittest.TestCase):
    def test_token_is_required(self):
        server = Server(token="py-token-0123456789")
        try:
            with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
                stub = pb_grpc.VideoPlatformServiceStub(channel)
                with self.assertRaises(grpc.RpcError) as error:
                    stub.GetFlags(pb.GetFlagsRequest(), timeout=20)
                self.assertEqual(error.exception.code(),
                                 grpc.StatusCode.UNAUTHENTICATED)
                flags = stub.GetFlags(
                    pb.GetFlagsRequest(), timeout=20,
                    metadata=[("authorization", "Bearer py-token-0123456789")])
                self.assertTrue(flags.flags.daily_migration_enabled)
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
