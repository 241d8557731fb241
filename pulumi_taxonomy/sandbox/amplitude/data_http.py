"""HTTP face of the emulated Amplitude Data API: `/graphql` (graphql-core, a real
schema) and `POST /import/csv/{workspaceId}/{mainBranchId}` (multipart field `csv`).

The schema has exactly the fields and arguments the reference shows, no more, with
the documented arguments required. Documents are bounded (size, tokens, depth,
aliases, fields after fragment expansion) before graphql-core validates them, and
malformed requests are 4xx, never 500. Two test routes live under `/_sandbox/`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any, Literal

from graphql import (
    REMOVE,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    build_ast_schema,
    execute_sync,
    parse,
    specified_rules,
    validate,
    visit,
)
from graphql.language import (
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputValueDefinitionNode,
    ObjectTypeDefinitionNode,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pulumi_taxonomy.sandbox.amplitude.data import ORG_ID, AmplitudeData, DataError
from pulumi_taxonomy.sandbox.config import SandboxConfig
from pulumi_taxonomy.sandbox.forms import parse_json
from pulumi_taxonomy.sandbox.gate import DroppedAnswer, VendorPolicy, read_body

SDL = """
type Query { orgs: [Org!]! }
type Org { id: ID! workspaces(name: String!): [Workspace!]! }
type Workspace { id: ID! branches(default: Boolean!): [Branch!]! }
type Branch { id: ID! name: String! %(staging_field)s currentVersionId: ID }
type PullRequest { id: ID! status: String! }
type MergedPullRequest { id: ID! }
input CreatePullRequestInput {
  workspaceId: ID! originBranchId: ID! targetBranchId: ID! status: String! description: String!
}
input MergePullRequestInput { id: ID! originVersionId: ID! targetVersionId: ID! description: String! }
%(publish_input)s
type Mutation {
  %(publish_field)s
  createPullRequest(input: CreatePullRequestInput!): PullRequest!
  mergePullRequest(input: MergePullRequestInput!): MergedPullRequest!
}
"""

MAX_BODY_BYTES = 1_000_000
MAX_QUERY_CHARS = 50_000
MAX_TOKENS = 5_000
MAX_DEPTH = 20
"""graphql-core's standard introspection query reaches 13."""
MAX_ALIASES = 30
MAX_FIELDS = 1_000
"""Fields after fragments are expanded: bounds execution and graphql-core's validation."""


def schema(auto_save: bool, hidden: frozenset[str] = frozenset()) -> GraphQLSchema:
    """The vendor's schema; the auto-save variant has no staging versions and no publish.
    `hidden` leaves fields (`Type.field`) and arguments (`Type.field(argument)`, or an
    input object's `Input.field`) out, as a vendor that changed its schema would; a name
    the schema does not have is a `ValueError`."""
    sdl = SDL % {
        "staging_field": "" if auto_save else "stagingVersionId: ID",
        "publish_input": ""
        if auto_save
        else "input PublishVersionInput { branchId: ID! versionId: ID! description: String! }",
        "publish_field": "" if auto_save else "publishVersion(input: PublishVersionInput!): Branch!",
    }
    hiding = _Hide(hidden)
    document = visit(parse(sdl), hiding)
    unknown = sorted(hidden - hiding.found)
    if unknown:
        raise ValueError(
            f"the schema has no {unknown[0]} to hide (spell it Type.field or Type.field(argument))"
        )
    return build_ast_schema(document)


class _Hide(Visitor):
    """Removes the named fields and arguments from a schema's SDL document."""

    def __init__(self, hidden: frozenset[str]) -> None:
        super().__init__()
        self.hidden = hidden
        self.found: set[str] = set()
        self.type = ""
        self.field: str | None = None

    def _drop(self, name: str) -> Any:
        if name in self.hidden:
            self.found.add(name)
            return REMOVE
        return None

    def enter_object_type_definition(self, node: ObjectTypeDefinitionNode, *_: Any) -> None:
        self.type, self.field = node.name.value, None

    def enter_input_object_type_definition(self, node: InputObjectTypeDefinitionNode, *_: Any) -> None:
        self.type, self.field = node.name.value, None

    def enter_field_definition(self, node: FieldDefinitionNode, *_: Any) -> Any:
        self.field = node.name.value
        return self._drop(f"{self.type}.{self.field}")

    def enter_input_value_definition(self, node: InputValueDefinitionNode, *_: Any) -> Any:
        if self.field is None:  # a field of an input object
            return self._drop(f"{self.type}.{node.name.value}")
        return self._drop(f"{self.type}.{self.field}({node.name.value})")


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


def policy(config: SandboxConfig) -> VendorPolicy:
    expected = f"Bearer {config.data_token}".encode()
    label = "amplitude-data:" + hashlib.sha256(config.data_token.encode()).hexdigest()[:8]

    def authenticate(headers: Headers) -> str | None:
        return label if hmac.compare_digest(headers.get("authorization", "").encode(), expected) else None

    return VendorPolicy(
        name="amplitude-data",
        prefixes=("/graphql", "/import/csv"),
        authenticate=authenticate,
        error_response=error_response,
    )


class _Root:
    """Resolvers: graphql-core's default resolver calls these with (info, **args)."""

    def __init__(self, data: AmplitudeData) -> None:
        self.data = data

    def orgs(self, info: Any) -> list[dict[str, Any]]:
        d = self.data

        def workspaces(info: Any, name: str) -> list[dict[str, Any]]:
            return [{**w, "branches": lambda info, default: d.branches(default)} for w in d.workspaces(name)]

        return [{"id": ORG_ID, "workspaces": workspaces}]

    def publishVersion(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.publish(input["branchId"], input["versionId"])

    def createPullRequest(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.create_pull_request(
            input["workspaceId"], input["originBranchId"], input["targetBranchId"]
        )

    def mergePullRequest(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        return self.data.merge_pull_request(input["id"], input["originVersionId"], input["targetVersionId"])


class _Schemas:
    """The schema as the project's settings make it now (fields may be hidden), each
    variant built once."""

    def __init__(self, data: AmplitudeData) -> None:
        self.data = data
        self._built: dict[frozenset[str], GraphQLSchema] = {}

    def current(self) -> GraphQLSchema:
        hidden = self.data.hidden
        if hidden not in self._built:
            self._built[hidden] = schema(self.data.auto_save, hidden)
        return self._built[hidden]


def _limits(document: DocumentNode) -> str | None:
    """Why the document is too costly to validate and run, or None."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    aliases = sum(1 for node in _fields(document) if node.alias is not None)
    if aliases > MAX_ALIASES:
        return f"the document has {aliases} aliases; at most {MAX_ALIASES} are allowed"
    memo: dict[str, tuple[int, int]] = {}

    def measure(selections: SelectionSetNode | None, seen: frozenset[str]) -> tuple[int, int]:
        """(depth, fields) of a selection set, fragments expanded."""
        depth = fields = 0
        for node in selections.selections if selections else ():
            if isinstance(node, FieldNode):
                d, f = measure(node.selection_set, seen)
                depth, fields = max(depth, d + 1), fields + f + 1
            elif isinstance(node, InlineFragmentNode):
                d, f = measure(node.selection_set, seen)
                depth, fields = max(depth, d), fields + f
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                if name in seen or name not in fragments:
                    continue  # cycles and unknown fragments are validation's to report
                if name not in memo:
                    memo[name] = measure(fragments[name].selection_set, seen | {name})
                d, f = memo[name]
                depth, fields = max(depth, d), fields + f
            if fields > MAX_FIELDS:
                break
        return depth, fields

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            depth, fields = measure(definition.selection_set, frozenset())
            if depth > MAX_DEPTH:
                return f"the document is {depth} levels deep; at most {MAX_DEPTH} are allowed"
            if fields > MAX_FIELDS:
                return f"the document selects more than {MAX_FIELDS} fields"
    return None


def _parse_request(raw: bytes) -> tuple[DocumentNode, dict[str, Any] | None, str | None] | Response:
    """The document, variables and operation name of a GraphQL POST, or the 400 to answer."""
    try:
        body = parse_json(raw)
    except ValueError:  # strict JSON only (FormError): NaN, deep nesting, bad UTF-8...
        return error_response(400, "The body must be JSON: {query, variables, operationName}")
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return error_response(400, "The body must be a JSON object whose `query` is a string")
    variables, operation = body.get("variables"), body.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        return error_response(400, "`variables` must be a JSON object")
    if operation is not None and not isinstance(operation, str):
        return error_response(400, "`operationName` must be a string")
    query: str = body["query"]
    if len(query) > MAX_QUERY_CHARS:
        return error_response(400, f"The query is longer than {MAX_QUERY_CHARS} characters")
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError as exc:
        return error_response(400, exc.message)
    too_costly = _limits(document)
    if too_costly:
        return error_response(400, too_costly)
    return document, variables, operation


def _fields(document: DocumentNode) -> Iterator[FieldNode]:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode):
            yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


class DropAfter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: str
    times: int = Field(default=1, ge=0, le=1000)


class DataSettings(BaseModel):
    """What a test may change of the emulated Data project while it runs."""

    model_config = ConfigDict(extra="forbid")
    workspace_name: str | None = Field(default=None, min_length=1)
    """Rename the project, as a person can in Amplitude."""
    introspection: bool | None = None
    """Turn the schema's introspection off (some GraphQL APIs refuse it) or on."""
    drop_after: DropAfter | None = None
    """Lose the answer of the next successful calls of a step (upload, publish,
    pull_request, merge): it takes effect, then the connection closes."""
    failing_files: list[Literal["events", "user_properties"]] | None = None
    """Uploads of these kinds of file answer 500 (until changed or reset)."""
    hide: list[str] | None = None
    """Leave these fields (`Branch.currentVersionId`) and arguments (`Org.workspaces(name)`)
    out of the GraphQL schema, as a vendor that changed its schema would ([] restores it)."""


STEP_OF_MUTATION = {
    "publishVersion": "publish",
    "createPullRequest": "pull_request",
    "mergePullRequest": "merge",
}


def _mutation_step(document: DocumentNode, operation: str | None) -> str | None:
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            operation is None or (definition.name and definition.name.value == operation)
        ):
            for node in definition.selection_set.selections:
                if isinstance(node, FieldNode) and node.name.value in STEP_OF_MUTATION:
                    return STEP_OF_MUTATION[node.name.value]
    return None


def routes(data: AmplitudeData) -> list[Route]:
    schemas = _Schemas(data)
    root = _Root(data)

    async def graphql(request: Request) -> Response:
        # The gate has read the body (up to its own, larger limit) and replays it; this
        # route's limit is checked the gate's way: the declared length, then the bytes.
        raw = await read_body(request.scope, request.receive, MAX_BODY_BYTES)
        if raw is None:
            return error_response(413, f"The body is larger than {MAX_BODY_BYTES} bytes")
        parsed = _parse_request(raw)
        if isinstance(parsed, Response):
            return parsed
        document, variables, operation = parsed
        rules = [*specified_rules, *([] if data.introspection else [NoSchemaIntrospectionCustomRule])]
        current = schemas.current()
        invalid = validate(current, document, rules)
        if invalid:  # the document does not fit the schema: a client error [I]
            return JSONResponse({"errors": [_error(e) for e in invalid]}, status_code=400)
        result = execute_sync(
            current, document, root_value=root, variable_values=variables, operation_name=operation
        )
        if not result.errors:
            step = _mutation_step(document, operation)
            if step is not None and data.take_drop(step):
                return DroppedAnswer()
        payload: dict[str, Any] = {"data": result.data}
        status = 200  # refusals while executing travel with 200, as the notes say [I]
        if result.errors:
            payload["errors"] = [_error(e) for e in result.errors]
            originals = [e.original_error for e in result.errors if isinstance(e.original_error, DataError)]
            status = max((o.status for o in originals), default=200 if result.data is not None else 400)
        return JSONResponse(payload, status_code=status)

    async def upload(request: Request) -> Response:
        # The gate has read the whole body, refusing one over the policy's `max_body_bytes`.
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException as exc:  # Starlette's answer to a body its parser refuses
            return JSONResponse(
                {"error": f"The body must be multipart/form-data with one file field csv: {exc.detail}"},
                status_code=400,
            )
        field = form.get("csv")
        if not isinstance(field, UploadFile):
            return JSONResponse({"error": "Missing multipart file field csv"}, status_code=400)
        try:
            text = (await field.read()).decode("utf-8-sig")
        except UnicodeDecodeError:
            return JSONResponse({"error": "The CSV must be UTF-8"}, status_code=400)
        try:
            body = data.upload(request.path_params["workspace"], request.path_params["branch"], text)
        except DataError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        if data.take_drop("upload"):
            return DroppedAnswer()
        return JSONResponse(body)

    async def inspect(request: Request) -> Response:
        if request.method == "POST":
            try:
                settings = DataSettings.model_validate_json(await request.body() or b"{}")
            except ValidationError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            try:
                _change(data, settings)
            except ValueError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(data.snapshot())

    return [
        Route("/graphql", graphql, methods=["POST"]),
        Route("/import/csv/{workspace}/{branch}", upload, methods=["POST"]),
        Route("/_sandbox/amplitude/data", inspect, methods=["GET", "POST"]),
    ]


def _change(data: AmplitudeData, settings: DataSettings) -> None:
    if settings.drop_after is not None:
        data.drop_after(settings.drop_after.step, settings.drop_after.times)
    if settings.workspace_name is not None:
        data.workspace_name = settings.workspace_name
    if settings.introspection is not None:
        data.introspection = settings.introspection
    if settings.failing_files is not None:
        data.failing_files = set(settings.failing_files)
    if settings.hide is not None:
        hidden = frozenset(settings.hide)
        schema(data.auto_save, hidden)  # refuses a name the schema does not have
        data.hidden = hidden


def _error(error: GraphQLError) -> dict[str, Any]:
    return {"message": error.message, **({"path": error.path} if error.path else {})}
