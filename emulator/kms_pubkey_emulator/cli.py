"""`kms-pubkey emulator`: run the emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from kms_pubkey_emulator.config import DEFAULT_HOST, DEFAULT_PORT, EmulatorConfig


def banner(
    config: EmulatorConfig,
    url: str,
    vendors: list[str],
    key_count: int,
    credentials: Mapping[str, str] | None = None,
) -> str:
    made = [f"  {name.replace('_', ' ') + ':':<19} {value}" for name, value in (credentials or {}).items()]
    return "\n".join(
        [
            f"kms-pubkey emulator listening on {url}",
            f"  vendors:            {', '.join(vendors)} ({key_count} keys)",
            f"  key list:           {url}/_emulator/keys",
            f"  access key id:      {config.access_key_id}",
            f"  secret access key:  {config.secret_access_key}",
            f"  huawei project id:  {config.huawei_project_id}",
            f"  huawei token:       {config.huawei_token}",
            f"  aws account id:     {config.aws_account_id}",
            *made,
            f"  credentials list:   {url}/_emulator/credentials",
            f"  state dir:          {config.state_dir or '(none: keys live in memory)'}",
            "Press Ctrl-C to stop.",
        ]
    )


def _check_bind(host: str, port: int) -> None:
    """Raise OSError if the address cannot be bound (werkzeug would print and exit on its own)."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, port), family=family):
        pass


class _EmulatorCommand:
    name = "emulator"
    help = "run a local KMS emulator (AWS, Alibaba, Huawei) with strict signature checks"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        defaults = EmulatorConfig()
        parser.add_argument(
            "--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})"
        )
        parser.add_argument(
            "--port",
            type=int,
            default=DEFAULT_PORT,
            help=f"port (default {DEFAULT_PORT}; 0 picks a free one)",
        )
        parser.add_argument(
            "--state-dir",
            type=Path,
            default=None,
            help="keep keys in DIR/keys.json so restarts keep the same ids",
        )
        parser.add_argument("--access-key-id", default=defaults.access_key_id)
        parser.add_argument("--secret-access-key", default=defaults.secret_access_key)
        parser.add_argument("--huawei-project-id", default=defaults.huawei_project_id)
        parser.add_argument("--huawei-token", default=defaults.huawei_token)
        parser.add_argument("--aws-account-id", default=defaults.aws_account_id)
        parser.add_argument(
            "--max-skew-minutes",
            type=float,
            default=15.0,
            help="refuse requests whose timestamp is further off (default 15)",
        )
        parser.add_argument("--quiet", action="store_true", help="do not log each request")

    def run(self, args: argparse.Namespace) -> int:
        from kms_pubkey_emulator.server import PROTOCOLS, build_state, serve

        config = EmulatorConfig(
            access_key_id=args.access_key_id,
            secret_access_key=args.secret_access_key,
            huawei_project_id=args.huawei_project_id,
            huawei_token=args.huawei_token,
            aws_account_id=args.aws_account_id,
            state_dir=args.state_dir,
            max_skew=timedelta(minutes=args.max_skew_minutes),
            host=args.host,
            port=args.port,
        )
        print("kms-pubkey emulator: preparing keys...", file=sys.stderr, flush=True)
        state = build_state(config, PROTOCOLS)
        try:
            try:
                _check_bind(config.host, config.port)
                server = serve(state, PROTOCOLS, quiet=args.quiet)
            except OSError as error:
                print(
                    f"kms-pubkey: error: cannot listen on {config.host}:{config.port}: {error}",
                    file=sys.stderr,
                )
                return 1
            url = f"http://{config.host}:{server.server_port}"
            vendors = sorted({p.name for p in PROTOCOLS})
            print(banner(config, url, vendors, len(state.keys.all()), state.credentials), flush=True)
            try:
                server.serve_forever(poll_interval=0.2)
            except KeyboardInterrupt:
                print("kms-pubkey emulator: stopped", file=sys.stderr)
            finally:
                server.server_close()
            return 0
        finally:
            state.close()


COMMAND = _EmulatorCommand()
