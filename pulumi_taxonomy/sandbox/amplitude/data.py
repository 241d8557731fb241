"""The emulated Amplitude Data project: branches, versions and pull requests, which a
Taxonomy Import goes through before it reaches `main` (the taxonomy REST serves).

Reference flow: an upload creates (or replaces) the `import` branch off `main`, its
changes in a staging version; publishing makes that version current (published
versions are immutable) and opens a new staging version; a pull request from `import`
to `main` is merged, which applies the changes to `main` and deletes the branch and
the pull request. The auto-save variant has no staging versions and no publish: an
upload is current at once. An upload carries one file (events, or user properties);
a file that mixes the two column sets is refused. No HTTP here; see data_http.py.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from typing import Any

from pulumi_taxonomy.amplitude.importcsv import ChangeSet, CsvError, read_changes
from pulumi_taxonomy.sandbox.amplitude.state import AmplitudeError, AmplitudeTaxonomy, ImportApplier
from pulumi_taxonomy.sandbox.store import Store

Json = dict[str, Any]
ORG_ID = "36958"
WORKSPACE_ID = "f8373034-0073-44e9-ab15-284627d1d7d8"
MAIN = "main"
IMPORT = "import"
STEPS = ("upload", "publish", "pull_request", "merge")

SCHEMA = """
CREATE TABLE IF NOT EXISTS ad_branch (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    current_version TEXT NOT NULL,
    staging_version TEXT,
    changes TEXT,
    changes_published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ad_pull_request (
    id TEXT PRIMARY KEY,
    origin_branch TEXT NOT NULL,
    target_branch TEXT NOT NULL,
    status TEXT NOT NULL
);
"""


class DataError(Exception):
    """A refusal of the Data API; `status` is the HTTP status it travels with."""

    def __init__(self, message: str, status: int = 200) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _new() -> str:
    return str(uuid.uuid4())


class AmplitudeData:
    def __init__(
        self, store: Store, taxonomy: AmplitudeTaxonomy, workspace_name: str, auto_save: bool
    ) -> None:
        self.store = store
        self.taxonomy = taxonomy
        self.configured_name = workspace_name
        self.workspace_name = workspace_name
        """The project's name now (a test can rename it, as a person can in Amplitude)."""
        self.auto_save = auto_save
        self.introspection = True
        """Whether the GraphQL schema answers introspection (vendors may turn it off)."""
        self.hidden: frozenset[str] = frozenset()
        """Fields (`Branch.currentVersionId`) and arguments (`Org.workspaces(name)`) left out
        of the GraphQL schema, as a vendor that changed its schema would."""
        self.failures: Counter[str] = Counter()
        self.drops: Counter[str] = Counter()
        self.failing_files: set[str] = set()
        """Kinds of file ("events", "user_properties") whose uploads answer 500."""
        store.apply_schema(SCHEMA)

    def clear(self, conn: sqlite3.Connection) -> None:
        self.workspace_name = self.configured_name
        self.introspection = True
        self.hidden = frozenset()
        conn.execute("DELETE FROM ad_pull_request")
        conn.execute("DELETE FROM ad_branch")
        staging = None if self.auto_save else _new()
        conn.execute(
            "INSERT INTO ad_branch (id, name, current_version, staging_version) VALUES (?, ?, ?, ?)",
            (_new(), MAIN, _new(), staging),
        )
        self.failures.clear()
        self.drops.clear()
        self.failing_files.clear()

    def fail(self, step: str, times: int) -> None:
        """Make the next `times` calls of `step` fail with a 500 (tests of each step)."""
        if step not in STEPS:
            raise ValueError(f"step must be one of {', '.join(STEPS)}")
        self.failures[step] = times

    def drop_after(self, step: str, times: int) -> None:
        """Make the next `times` successful calls of `step` lose their answer: the step
        takes effect, then the connection closes (tests of lost answers)."""
        if step not in STEPS:
            raise ValueError(f"step must be one of {', '.join(STEPS)}")
        self.drops[step] = times

    def take_drop(self, step: str) -> bool:
        """Whether this successful call of `step` loses its answer."""
        if self.drops[step] > 0:
            self.drops[step] -= 1
            return True
        return False

    def _maybe_fail(self, step: str) -> None:
        if self.failures[step] > 0:
            self.failures[step] -= 1
            raise DataError(f"Internal server error during {step} (injected by the sandbox)", status=500)

    # -- reads ------------------------------------------------------------------------

    def _branch(self, conn: sqlite3.Connection, **where: str) -> sqlite3.Row | None:
        key, value = next(iter(where.items()))
        row: sqlite3.Row | None = conn.execute(
            f"SELECT * FROM ad_branch WHERE {key} = ?", (value,)
        ).fetchone()
        return row

    def _branch_json(self, row: sqlite3.Row) -> Json:
        body: Json = {"id": row["id"], "name": row["name"], "currentVersionId": row["current_version"]}
        if not self.auto_save:
            body["stagingVersionId"] = row["staging_version"]
        return body

    def workspaces(self, name: str) -> list[Json]:
        """Names match exactly (case and spaces included) [I]."""
        return [{"id": WORKSPACE_ID}] if name == self.workspace_name else []

    def branches(self, default: bool) -> list[Json]:
        """`default: true` is main; `default: false` the other branches [I]."""
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT * FROM ad_branch ORDER BY name != 'main', name").fetchall()
        return [self._branch_json(r) for r in rows if (r["name"] == MAIN) == default]

    def pull_requests(self) -> list[Json]:
        """The open pull requests (for the sandbox's own inspection route, not GraphQL)."""
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT * FROM ad_pull_request ORDER BY rowid").fetchall()
        return [
            {
                "id": r["id"],
                "status": r["status"],
                "originBranchId": r["origin_branch"],
                "targetBranchId": r["target_branch"],
            }
            for r in rows
        ]

    # -- the import flow ---------------------------------------------------------------

    def upload(self, workspace_id: str, main_branch_id: str, text: str) -> Json:
        with self.store.transaction() as conn:
            main = self._branch(conn, name=MAIN)
            if workspace_id != WORKSPACE_ID:
                raise DataError(f"Workspace {workspace_id} not found", status=404)
            if main is None or main["id"] != main_branch_id:
                raise DataError(
                    f"Branch {main_branch_id} is not the main branch of this workspace", status=404
                )
        self._maybe_fail("upload")
        try:
            changes = read_changes(text)  # strict: one documented column set, documented values
        except CsvError as exc:
            raise DataError(f"Invalid CSV: {exc}", status=400) from None
        if changes.kind in self.failing_files:
            raise DataError(f"Internal server error for a {changes.kind} file (injected by the sandbox)", 500)
        with self.store.transaction() as conn:
            old = self._branch(conn, name=IMPORT)
            if old is not None:  # an upload replaces the import branch and its pull request
                conn.execute("DELETE FROM ad_pull_request WHERE origin_branch = ?", (old["id"],))
                conn.execute("DELETE FROM ad_branch WHERE id = ?", (old["id"],))
            branch_id, base = _new(), self._branch(conn, name=MAIN)
            if base is None:
                raise DataError("The main branch is gone", status=500)
            if self.auto_save:
                current, staging, published = _new(), None, 1
            else:  # branched off main's current version; the upload waits in staging
                current, staging, published = base["current_version"], _new(), 0
            conn.execute(
                "INSERT INTO ad_branch (id, name, current_version, staging_version, changes, "
                "changes_published) VALUES (?, ?, ?, ?, ?, ?)",
                (branch_id, IMPORT, current, staging, changes.model_dump_json(), published),
            )
        body: Json = {
            "importType": "stargate",
            "eventCount": len(changes.events),
            "templateCount": 0,
            "branchId": branch_id,
            "branchName": IMPORT,
            "currentVersionId": current,
        }
        if not self.auto_save:
            body["stagingVersionId"] = staging
        return body

    def publish(self, branch_id: str, version_id: str) -> Json:
        self._maybe_fail("publish")
        with self.store.transaction() as conn:
            branch = self._branch(conn, id=branch_id)
            if branch is None:
                raise DataError(f"Branch {branch_id} not found")
            if version_id != branch["staging_version"]:
                raise DataError(
                    f"Version {version_id} is not the staging version of branch {branch['name']}; "
                    "published versions are immutable"
                )
            conn.execute(
                "UPDATE ad_branch SET current_version = ?, staging_version = ?, changes_published = 1 "
                "WHERE id = ?",
                (version_id, _new(), branch_id),
            )
            return self._branch_json(self._branch(conn, id=branch_id))  # type: ignore[arg-type]

    def create_pull_request(self, workspace_id: str, origin: str, target: str) -> Json:
        self._maybe_fail("pull_request")
        with self.store.transaction() as conn:
            if workspace_id != WORKSPACE_ID:
                raise DataError(f"Workspace {workspace_id} not found")
            origin_row, target_row = self._branch(conn, id=origin), self._branch(conn, id=target)
            if origin_row is None or origin_row["name"] != IMPORT:
                raise DataError(f"Branch {origin} is not an import branch")
            if target_row is None or target_row["name"] != MAIN:
                raise DataError(f"Branch {target} is not the main branch")
            if not origin_row["changes_published"]:
                raise DataError("Branch import has no published changes: publish its staging version first")
            open_pr = conn.execute(
                "SELECT id FROM ad_pull_request WHERE origin_branch = ?", (origin,)
            ).fetchone()
            if open_pr is not None:
                raise DataError(f"A pull request from branch import is already open ({open_pr['id']})")
            pr_id = _new()
            conn.execute(
                "INSERT INTO ad_pull_request (id, origin_branch, target_branch, status) "
                "VALUES (?, ?, ?, 'published')",
                (pr_id, origin, target),
            )
        return {"id": pr_id, "status": "published"}

    def merge_pull_request(self, pr_id: str, origin_version: str, target_version: str) -> Json:
        self._maybe_fail("merge")
        with self.store.transaction() as conn:
            pr = conn.execute("SELECT * FROM ad_pull_request WHERE id = ?", (pr_id,)).fetchone()
            if pr is None:
                raise DataError(f"Pull request {pr_id} not found")
            origin, main = self._branch(conn, id=pr["origin_branch"]), self._branch(conn, name=MAIN)
            if origin is None or main is None:
                raise DataError("The pull request's branches are gone", status=500)
            if origin_version != origin["current_version"]:
                raise DataError(
                    f"originVersionId {origin_version} is not the current version of branch import"
                )
            if target_version != main["current_version"]:
                raise DataError(
                    f"targetVersionId {target_version} is stale: main is at {main['current_version']}"
                )
            try:
                ImportApplier(self.taxonomy).apply(ChangeSet.model_validate_json(origin["changes"]))
            except AmplitudeError as exc:
                raise DataError(f"The import cannot be merged: {exc.message}") from None
            conn.execute("UPDATE ad_branch SET current_version = ? WHERE id = ?", (_new(), main["id"]))
            conn.execute("DELETE FROM ad_pull_request WHERE id = ?", (pr_id,))
            conn.execute("DELETE FROM ad_branch WHERE id = ?", (origin["id"],))
        return {"id": _new()}

    def import_changes(self) -> Json | None:
        """The pending import branch's changes (introspection for tests)."""
        with self.store.transaction() as conn:
            row = self._branch(conn, name=IMPORT)
        return None if row is None else json.loads(row["changes"])

    def snapshot(self) -> Json:
        """Everything a test may want to see, without going through GraphQL."""
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT * FROM ad_branch ORDER BY name != 'main', name").fetchall()
        return {
            "workspace": {"id": WORKSPACE_ID, "name": self.workspace_name},
            "auto_save": self.auto_save,
            "introspection": self.introspection,
            "hidden": sorted(self.hidden),
            "branches": [self._branch_json(r) for r in rows],
            "pull_requests": self.pull_requests(),
            "import_changes": self.import_changes(),
        }
