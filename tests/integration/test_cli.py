"""The command line: --help, check-config (ok / errors with FILE:LINE:COL), bad usage, bind failure."""

import os
import re
import socket
import tempfile
import textwrap
import unittest

from harness import run_cli, switchyard_bin, Gateway

GOOD = textwrap.dedent("""\
    server:
      listen: "127.0.0.1:18080"
    providers:
      oai:
        kind: openai
        base_url: http://127.0.0.1:9/v1
        api_key: ${SY_IT_KEY:-sk-default}
    models:
      small:
        provider: oai
        upstream_model: gpt-small
        price: {input_per_mtok: 1.5, output_per_mtok: 2}
    routes:
      fast:
        chain:
          - model: small
            retries: 1
    log:
      sqlite_path: ${SY_IT_DB:-switchyard-test.db}
    """)


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        switchyard_bin()   # skips when there is no binary
        cls.tmp = tempfile.TemporaryDirectory(prefix="sy-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_help_exits_0_and_names_commands(self):
        r = run_cli("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout + r.stderr
        for cmd in ("serve", "check-config", "logs"):
            self.assertIn(cmd, out)

    def test_unknown_command_exits_2(self):
        r = run_cli("frobnicate")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("unknown command 'frobnicate'", r.stderr)

    def test_unknown_flag_exits_2(self):
        r = run_cli("serve", "--no-such-flag")
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)

    def test_check_config_ok_prints_summary(self):
        path = self.write("good.yaml", GOOD)
        r = run_cli("check-config", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout + r.stderr
        self.assertTrue(out.strip(), "check-config printed no summary")
        self.assertNotRegex(out, re.escape(path) + r":\d+:\d+:")

    def test_check_config_accepts_the_shipped_example_without_loading_models(self):
        example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                               "examples", "switchyard.yaml")
        no_keys = {"OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": "", "HF_TOKEN": "", "SWITCHYARD_MODELS": ""}
        r = run_cli("check-config", example, env=no_keys)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("set OPENAI_API_KEY", r.stdout)               # missing keys: warnings
        self.assertIn("bge-small-en-v1.5 is not a model directory yet", r.stdout)

    def test_check_config_missing_file_exits_2(self):
        r = run_cli("check-config", os.path.join(self.tmp.name, "does-not-exist.yaml"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("does-not-exist.yaml", r.stdout + r.stderr)

    def assertConfigError(self, text, line, col=None, fragment=None):
        path = self.write("bad-%d.yaml" % line, text)
        r = run_cli("check-config", path)
        out = r.stdout + r.stderr
        self.assertEqual(r.returncode, 2, out)
        m = re.search(re.escape(path) + r":(\d+):(\d+): (.+)", out)
        self.assertIsNotNone(m, "no FILE:LINE:COL: message line in:\n" + out)
        self.assertEqual(int(m.group(1)), line, out)
        if col is not None:
            self.assertEqual(int(m.group(2)), col, out)
        if fragment:
            self.assertIn(fragment, out)

    def test_check_config_unknown_key_points_at_it(self):
        bad = GOOD.replace("    api_key: ${SY_IT_KEY:-sk-default}\n",
                           "    api_key: ${SY_IT_KEY:-sk-default}\n    bogus_key: 1\n")
        self.assertConfigError(bad, line=8, col=5, fragment="bogus_key")

    def test_check_config_wrong_type_points_at_value(self):
        bad = GOOD.replace('  listen: "127.0.0.1:18080"\n',
                           '  listen: "127.0.0.1:18080"\n  max_body_bytes: lots\n')
        self.assertConfigError(bad, line=3, col=19)

    def test_check_config_dangling_reference(self):
        bad = GOOD.replace("    provider: oai\n", "    provider: nope\n")
        self.assertConfigError(bad, line=10, fragment="nope")

    def test_check_config_route_to_unknown_model(self):
        bad = GOOD.replace("      - model: small\n", "      - model: missing-model\n")
        self.assertConfigError(bad, line=16, fragment="missing-model")

    def test_check_config_unset_variable_without_default(self):
        bad = GOOD.replace("${SY_IT_KEY:-sk-default}", "${SY_IT_SURELY_UNSET_VAR}")
        self.assertConfigError(bad, line=7, fragment="SY_IT_SURELY_UNSET_VAR")

    def test_check_config_yaml_syntax_error(self):
        bad = GOOD.replace("models:\n", "models:\n  - [unclosed\n")
        path = self.write("syntax.yaml", bad)
        r = run_cli("check-config", path)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertRegex(r.stdout + r.stderr, re.escape(path) + r":\d+:\d+: ")

    def test_serve_with_bad_config_exits_2(self):
        bad = GOOD.replace("    provider: oai\n", "    provider: nope\n")
        path = self.write("bad-serve.yaml", bad)
        r = run_cli("serve", "--config", path, "--listen", "127.0.0.1:0", timeout=20)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertRegex(r.stderr, re.escape(path) + r":10:\d+: ")

    def test_serve_on_busy_port_exits_1(self):
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        try:
            port = busy.getsockname()[1]
            path = self.write("good-busy.yaml", GOOD.replace(
                "${SY_IT_DB:-switchyard-test.db}", os.path.join(self.tmp.name, "busy.db")))
            r = run_cli("serve", "--config", path, "--listen", "127.0.0.1:%d" % port, timeout=20)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        finally:
            busy.close()

    def test_serve_on_a_port_another_switchyard_holds_exits_1(self):
        # The listeners use SO_REUSEPORT; a second gateway must not join the first one's port.
        first_path = self.write("good-first.yaml", GOOD.replace(
            "${SY_IT_DB:-switchyard-test.db}", os.path.join(self.tmp.name, "first.db")))
        first = Gateway(first_path).start()
        try:
            path = self.write("good-second.yaml", GOOD.replace(
                "${SY_IT_DB:-switchyard-test.db}", os.path.join(self.tmp.name, "second.db")))
            r = run_cli("serve", "--config", path, "--listen", "127.0.0.1:%d" % first.port,
                        timeout=20)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("cannot listen on 127.0.0.1:%d" % first.port, r.stderr)
        finally:
            rc, err = first.stop()
        self.assertEqual(rc, 0, err)

    def test_serve_prints_listening_line_and_sigterm_exits_0(self):
        path = self.write("good-serve.yaml", GOOD.replace(
            "${SY_IT_DB:-switchyard-test.db}", os.path.join(self.tmp.name, "serve.db")))
        gw = Gateway(path).start()
        self.assertGreater(gw.port, 0)
        rc, err = gw.stop()
        self.assertEqual(rc, 0, err)

    def test_logs_on_missing_db_fails(self):
        r = run_cli("logs", "--db", os.path.join(self.tmp.name, "nope", "none.db"))
        self.assertIn(r.returncode, (1, 2), r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
