"""Where a plan under review comes from: a file, or `git:REF:PATH`, the file as the git
revision REF of the current repository has it (so CI can compare with the base branch).

PATH is relative to the current directory, like a plain file argument (git itself reads
`REF:PATH` from the repository's root; `REF:./PATH` from the current directory).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from pulumi_taxonomy.plan.loader import Located, PlanUnreadable, check_size, decode, loads_located, read

GIT = "git:"
GIT_TIMEOUT = 30.0
"""Seconds `git show` may take before the command gives up."""


@dataclass(frozen=True)
class Revision:
    spec: str
    """As the user wrote it: `plan.yaml` or `git:origin/main:plan.yaml`."""
    path: str
    """The file in the working tree it stands for (where annotations go)."""
    ref: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Revision:
        if not spec.startswith(GIT):
            return cls(spec, spec)
        ref, sep, path = spec[len(GIT) :].partition(":")
        if not sep or not ref or not path:
            raise _invalid(spec, "write a git revision as git:REF:PATH, e.g. git:origin/main:plan.yaml")
        if ref.startswith("-"):
            raise _invalid(spec, f"{ref!r} is not a git revision (it would be read as an option)")
        return cls(spec, path, ref)

    def read(self) -> str:
        if self.ref is None:
            return read(self.path)
        return self._git_show()

    def load(self) -> Located:
        """The plan, checked as `validate` checks it, with its line numbers."""
        return loads_located(self.read(), self.spec)

    def _git_show(self) -> str:
        """The blob, refused past the size limit before git prints it (`git cat-file -s`),
        and refused when the path names a folder (git would list it)."""
        # "./" makes git read the path from the current directory, as for a plain file.
        path = os.path.relpath(self.path) if os.path.isabs(self.path) else self.path
        if not path.startswith(("./", "../")):
            path = "./" + path
        # Resolved once: a ref that moves meanwhile (a fetch) cannot swap the object
        # between the checks and the read.
        said = self._git("rev-parse", f"{self.ref}:{path}").decode("ascii", "replace").split()
        if len(said) != 1 or not all(c in "0123456789abcdef" for c in said[0]):
            raise _invalid(self.spec, f"git named no single object for {self.ref}:{self.path}")
        kind = self._git("cat-file", "-t", said[0]).strip().decode("ascii", "replace")
        if kind != "blob":
            raise _invalid(self.spec, f"{self.ref}:{self.path} is a {kind} in git (a folder?), not a file")
        check_size(self.spec, int(self._git("cat-file", "-s", said[0]).strip()))
        return decode(self.spec, self._git("cat-file", "blob", said[0]))

    def _git(self, *args: str) -> bytes:
        try:
            done = subprocess.run(
                ["git", *args],
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=GIT_TIMEOUT,
                check=False,
                env={**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"},
            )
        except FileNotFoundError:
            raise _invalid(self.spec, "git is not installed, and reading git:REF:PATH needs it") from None
        except subprocess.TimeoutExpired:
            raise _invalid(self.spec, f"git did not answer within {GIT_TIMEOUT:g} s") from None
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip() or f"exit code {done.returncode}"
            raise _invalid(self.spec, f"git could not read {self.ref}:{self.path}: {said}{_hint(said)}")
        return done.stdout


def _hint(said: str) -> str:
    if "not a git repository" in said:
        return " (run the command inside the repository that holds the plan)"
    if "exists on disk, but not in" in said or "does not exist in" in said:
        return " (the plan did not exist at that revision: there is nothing to compare with)"
    if "invalid object name" in said or "unknown revision" in said or "bad revision" in said:
        return " (is the ref fetched? In CI, fetch the base branch first: git fetch origin <branch>)"
    return ""


def _invalid(spec: str, message: str) -> PlanUnreadable:
    return PlanUnreadable(spec, message)
