"""Command line: one thin module per subcommand (parse, call the library, print, exit code).

Only the invoked subcommand's module is imported, so ``structcheck lint`` starts fast.
Exit codes as ruff: 0 clean, 1 findings (at or above --fail-on), 2 usage/config/internal error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module that defines add_arguments(parser) and run(args) -> int, one-line help)
SUBCOMMANDS = {
    "lint": ("structcheck.cli.lint", "check structures for unphysical geometry and composition"),
    "rules": ("structcheck.cli.rules", "list every rule: code, name, family, severity, on/off, fixable"),
    "explain": ("structcheck.cli.rules", "what a rule checks, why it matters, an example, the fix"),
    "fix": ("structcheck.cli.fix", "repair close contacts with a repulsive pre-relaxation"),
    "relax": ("structcheck.cli.relax", "lint, optionally pre-relax, then DPA2 + ASE LBFGS with provenance"),
    "show": ("structcheck.cli.show", "draw the flagged atoms of structures: a .png picture or a .html 3D report"),
    "wander": ("structcheck.cli.wander", "teaching: replicas of one start under tiny noise, spread and minima"),
    "doctor": ("structcheck.cli.doctor", "what is installed for each command, what is missing, the command that fixes it"),
}


from .options import UsageError

__all__ = ["SUBCOMMANDS", "UsageError", "build_parser", "main"]


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, its width found without importing shutil (argparse imports it
    for every parser, with zlib, bz2 and lzma: ~3 ms of a lint's start-up); the width is
    shutil.get_terminal_size's: $COLUMNS, else the terminal's, else 80, less 2."""

    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):  # exit 2 with one line (no usage block), as ruff
        print(f"structcheck: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def build_parser(command: str | None) -> argparse.ArgumentParser:
    from .._version import __version__

    parser = _Parser(prog="structcheck", description="Sanity checks for atomistic structures "
                     "before a relaxation (lint -> fix -> DPA2 relax).")
    parser.add_argument("--version", action="version", version=f"structcheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name == command:
            getattr(importlib.import_module(module), f"add_{name}_arguments")(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in SUBCOMMANDS else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.command:
        parser.print_help()
        return 2
    module = importlib.import_module(SUBCOMMANDS[args.command][0])
    previous = _exit_on_sigterm()
    try:  # a file name that is not UTF-8 is printed escaped, never an encoding crash
        sys.stdout.reconfigure(errors="backslashreplace")
    except (AttributeError, ValueError):
        pass
    try:
        return int(getattr(module, f"run_{args.command}")(args) or 0)
    except KeyboardInterrupt:
        print("structcheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        from ..linter.registry import ConfigError
        from ..outputs import OutputError

        if isinstance(exc, (ConfigError, UsageError, OutputError)):
            print(f"structcheck: error: {exc}", file=sys.stderr)
            return 2
        print(f"structcheck: internal error in `{args.command}`: {type(exc).__name__}: {exc} "
              "(set STRUCTCHECK_DEBUG=1 for a traceback)", file=sys.stderr)
        import os

        if os.environ.get("STRUCTCHECK_DEBUG"):
            raise
        return 2
    finally:
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm():
    """SIGTERM raises SystemExit(143) (as the shell reports it), so temporary output files are
    removed on the way out; the previous handler (returned) is put back afterwards."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def _term(signum, frame):
        raise SystemExit(128 + signum)

    try:
        return signal.signal(signal.SIGTERM, _term)
    except (ValueError, OSError):
        return None


if __name__ == "__main__":
    raise SystemExit(main())
