"""Atomic Red Team technique files (`atomics/Txxxx/Txxxx.yaml`) → test template drafts.

ART's index files (`atomics/Indexes/index.yaml` and its per-platform siblings) are read too:
they map each tactic to its techniques, each with its STIX object and the same `atomic_tests` a
technique file holds. A technique listed under several tactics is read once.

One file describes one ATT&CK technique (`attack_technique`) and several `atomic_tests`. Each
test becomes a template:

- `name`, `description` as they are; `supported_platforms` mapped to Violet's platforms;
- `executor.command` and a manual executor's `steps` → `procedure`, Markdown with the command
  in a fenced block and a table of the input arguments (type, default, description), because the
  procedure writes them as `#{name}`; the arguments are also kept as data (`input_arguments`);
- `executor.cleanup_command` → `cleanup`; `dependencies` → `prerequisites`;
- `attack_technique` → one MITRE tag (a sub-technique when the id has a dot);
- `source` = `atomic-red-team`, `source_ref` = `auto_generated_guid` (technique and name for a
  test without one), which makes a re-import update the same template instead of adding
  another; two tests of a file with the same source_ref are refused.

The YAML is read with the safe loader, and aliases (`*name`) are refused: real Atomic files never
use them, and repeating a node lets a small file expand into a huge one ("billion laughs"). A
key repeated in a mapping is refused too, where PyYAML would keep the last value. Bad
YAML raises `FormatError` with its line; a document of the wrong shape raises it with the path of
the problem and, where the node exists, its line. Plain values are typed as YAML 1.2 types them
(`_CoreSchemaResolver`), not as PyYAML's YAML 1.1. A file is UTF-8, or UTF-16 with its byte order
mark; another encoding raises `FormatError` naming the first byte that is not, with its line. A
document of more than `MAX_ITEMS` tests raises `TooManyItems` before any test is read.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import re
import uuid
from typing import Any

import yaml
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from yaml.composer import Composer, ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.resolver import Resolver

from violet.core.errors import flatten_messages
from violet.core.input_guard import UNSTORABLE_MESSAGE, unstorable_fields
from violet.library.formats.drafts import (
    MAX_ITEMS,
    FormatError,
    TemplateDraft,
    TooManyItems,
    undecodable,
)
from violet.library.models import SOURCE_REF_MAX

SOURCE = "atomic-red-team"
DOCUMENT = "Atomic Red Team technique file"  # in error messages
INDEX = "Atomic Red Team index"
TECHNIQUE_ID = re.compile(r"^T\d{4}(\.\d{3})?$")
ATOMICS_URL = "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/{id}/{id}.md"

# Atomic `supported_platforms` → Violet platforms; anything else is left out.
PLATFORMS = {
    "windows": "windows",
    "linux": "linux",
    "macos": "macos",
    "containers": "containers",
    "iaas": "cloud",
    "iaas:aws": "cloud",
    "iaas:azure": "cloud",
    "iaas:gcp": "cloud",
    "azure-ad": "identity",
    "office-365": "saas",
    "google-workspace": "saas",
    "saas": "saas",
    "network": "network",
}

# A CommonMark code span: a run of backticks, then text, then a run of the same length.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
# Executor name → the language of its fenced code block.
CODE_LANGUAGES = {"command_prompt": "cmd", "powershell": "powershell", "sh": "sh", "bash": "bash"}


class _RefuseAliases(Composer):
    """Refuses an alias where the document is composed, before it is repeated in the data.

    `atomic_tests: [*t, *t, …]` turns a 200 KB body into hundreds of MB of templates, and nested
    aliases take seconds of CPU; real Atomic files never use them, so any alias is refused.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            problem = f"found the alias *{event.anchor}; YAML aliases are not accepted"
            raise ComposerError(None, None, problem, event.start_mark)
        return super().compose_node(parent, index)


class _RefuseDuplicateKeys(SafeConstructor):
    """Refuses a mapping that repeats a key, naming the second one's line.

    PyYAML keeps the last value, silently dropping the first (a test's second `command:` or
    `description:`); the YAML spec forbids repeated keys, and so do Atomic Red Team's own
    validator and Invoke-AtomicRedTeam.
    """

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) < len(node.value):  # a key came twice: find it for the message
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    problem = f"found the key {key!r} a second time in this mapping"
                    raise ConstructorError(None, None, problem, key_node.start_mark)
                seen.add(key)
        return mapping


class _CoreSchemaResolver(Resolver):
    """Plain scalars read as YAML 1.2's core schema, not PyYAML's YAML 1.1.

    YAML 1.1 turns an argument default of `20:10` (a time, in T1053.005) into the base-60
    number 1210, `0755` into 493, `yes`/`on` into true and `2024-01-01` into a date; a lone `=`
    or `<<` cannot be read at all. Under the core schema only `true`/`false`, `null`/`~`, and
    decimal numbers are typed; everything else stays the text the author wrote (a number with a
    leading zero, `0x1F`, `1_000`, `20:10`). The arguments are interpolated as text, so text is
    what keeps them faithful.
    """

    yaml_implicit_resolvers: dict = {}


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        "float",
        r"^[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)$"
        r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$",
        "-+0123456789.",
    ),
):
    _CoreSchemaResolver.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first)
    )


try:
    # libyaml's parser gives the events; PyYAML's composer, first in the MRO, builds the nodes
    # instead of libyaml's own, which cannot refuse aliases. On 30 real Atomic files this takes
    # twice yaml.CSafeLoader's time (57 ms against 27) and a sixth of the pure Python loader's.
    from yaml.cyaml import CParser

    class Loader(_RefuseAliases, CParser, _RefuseDuplicateKeys, _CoreSchemaResolver):
        def __init__(self, stream: str | bytes) -> None:
            CParser.__init__(self, stream)
            _RefuseAliases.__init__(self)
            _RefuseDuplicateKeys.__init__(self)
            _CoreSchemaResolver.__init__(self)

except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class Loader(  # type: ignore[no-redef]
        _RefuseAliases, Reader, Scanner, Parser, _RefuseDuplicateKeys, _CoreSchemaResolver
    ):
        def __init__(self, stream: str | bytes) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            _RefuseAliases.__init__(self)
            _RefuseDuplicateKeys.__init__(self)
            _CoreSchemaResolver.__init__(self)


# --- the document's shape ----------------------------------------------------------------------


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # Atomic files carry fields Violet has no use for


class InputArgument(_Lenient):
    description = fields.String(load_default="", allow_none=True)
    type = fields.String(load_default="string", allow_none=True)
    default = fields.Raw(load_default=None, allow_none=True)


class Dependency(_Lenient):
    description = fields.String(load_default="", allow_none=True)
    prereq_command = fields.String(load_default="", allow_none=True)
    get_prereq_command = fields.String(load_default="", allow_none=True)


class Executor(_Lenient):
    name = fields.String(required=True, validate=validate.Length(min=1))
    command = fields.String(load_default=None, allow_none=True)
    cleanup_command = fields.String(load_default=None, allow_none=True)
    elevation_required = fields.Boolean(load_default=False, allow_none=True)
    steps = fields.String(load_default=None, allow_none=True)


class _Guid(fields.String):
    """An atomic's `auto_generated_guid`: a UUID, written in its canonical form. A GUID that is
    not one (T1087.004 once had `…-550ewfefwcbc`) is kept as written: it still identifies the
    test, and refusing it refused the whole file."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            return str(uuid.UUID(text))
        except ValueError:
            return text  # empty: no GUID


class _TechniqueId(fields.String):
    """`attack_technique`; older Atomic files write it as a one-item list (`- T1124`)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        return super()._deserialize(value, attr, data, **kwargs)


class _OneExecutor(fields.Nested):
    """`executor`; some older Atomic files write it as a one-item list (the real T1113 of
    early 2018, a T1003.005 of 2020), as others do `attack_technique`."""

    default_error_messages = {"type": "Must be a mapping with the executor's name and command."}

    def _deserialize(
        self, value: Any, attr: Any, data: Any, partial: Any = None, **kwargs: Any
    ) -> Any:
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if not isinstance(value, dict):
            raise self.make_error("type")
        return super()._deserialize(value, attr, data, partial, **kwargs)


class AtomicTest(_Lenient):
    name = fields.String(required=True, validate=validate.Length(min=1))
    auto_generated_guid = _Guid(
        load_default=None, allow_none=True, validate=validate.Length(max=SOURCE_REF_MAX)
    )
    description = fields.String(load_default="", allow_none=True)
    supported_platforms = fields.List(fields.String(), load_default=list)
    input_arguments = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(InputArgument),
        load_default=dict,
        allow_none=True,
    )
    dependency_executor_name = fields.String(load_default=None, allow_none=True)
    dependencies = fields.List(fields.Nested(Dependency), load_default=list, allow_none=True)
    executor = _OneExecutor(Executor, required=True)

    @pre_load
    def _input_arguments_of_early_files(self, data: Any, **kwargs: Any) -> Any:
        # The format of early 2018 called them `args`.
        if isinstance(data, dict) and "args" in data and "input_arguments" not in data:
            data = {**data, "input_arguments": data["args"]}
        return data


class AtomicTechnique(_Lenient):
    attack_technique = _TechniqueId(
        required=True,
        validate=validate.Regexp(TECHNIQUE_ID, error="Must be an ATT&CK technique id like T1059."),
    )
    display_name = fields.String(load_default="", allow_none=True)
    atomic_tests = fields.List(
        fields.Nested(AtomicTest), required=True, validate=validate.Length(min=1)
    )


# --- parsing -----------------------------------------------------------------------------------


def parse(text: str | bytes) -> list[TemplateDraft]:
    """The template drafts of one Atomic Red Team technique file, or of an index of them
    (`atomics/Indexes/index.yaml` and its per-platform siblings); FormatError when unreadable."""
    node, document = _load(text)
    if not isinstance(document, dict):
        raise FormatError(
            "Not an Atomic Red Team technique file: expected a mapping with "
            "attack_technique and atomic_tests.",
            {"_schema": ["Expected a YAML mapping at the top level."]},
        )
    index = _is_index(document)
    _refuse_too_many(_index_tests(document) if index else document.get("atomic_tests"), index)
    if index:
        return _index_drafts(node, document)
    return _technique_drafts(node, document)


def _refuse_too_many(tests: Any, index: bool) -> None:
    """TooManyItems before a test is read (reading them is most of an import's time)."""
    if isinstance(tests, list) and len(tests) > MAX_ITEMS:
        advice = (
            "Import each technique file of the index instead (the Import dialog takes the "
            "atomics/ folder)."
            if index
            else "Split its atomic_tests into several files."
        )
        raise TooManyItems(
            len(tests), "atomic tests", "_schema" if index else "atomic_tests", advice
        )


def _technique_drafts(
    node: yaml.Node | None, document: dict[str, Any], where: str = ""
) -> list[TemplateDraft]:
    """The drafts of one technique's document (`where` prefixes the paths: its place in an
    index)."""
    try:
        _refuse_unstorable(node, document)
        try:
            technique = AtomicTechnique().load(document)
        except ValidationError as error:
            errors = {
                path + _line_suffix(node, path): messages
                for path, messages in flatten_messages(error.messages).items()
            }
            raise FormatError.naming(DOCUMENT, errors) from error
        _refuse_non_finite_defaults(node, technique)
        drafts = [
            TemplateDraft(
                path=f"{where}atomic_tests.{index}",
                fields=template_fields(technique, test),
                # ART gives a test its GUID after it is merged: the template an earlier import
                # made of it, without a GUID, is found by technique and name.
                former_refs=(name_ref(technique["attack_technique"], test["name"].strip()),)
                if test["auto_generated_guid"]
                else (),
                # An atomic names its technique, never a tactic, and links only its own page:
                # tactic tags and other links added in Violet are not the file's to remove.
                kept_tag_kinds=("tactic",),
                own_references=atomic_pages,
            )
            for index, test in enumerate(technique["atomic_tests"])
        ]
        _refuse_shared_source_refs(node, technique["atomic_tests"], drafts)
    except FormatError as error:
        if not where:
            raise
        errors = {where + path: messages for path, messages in error.errors.items()}
        raise FormatError.naming(INDEX, errors) from error
    return drafts


def _is_index(document: dict[str, Any]) -> bool:
    """An index: tactic shortname → ATT&CK id → `{technique: <the STIX object>, atomic_tests}`."""
    return (
        "attack_technique" not in document
        and any(document.values())  # at least one technique listed
        and all(
            isinstance(techniques, dict)
            and all(
                isinstance(entry, dict) and "atomic_tests" in entry for entry in techniques.values()
            )
            for techniques in document.values()
        )
    )


def _index_tests(document: dict[str, Any]) -> list[Any]:
    """Every test an index holds, each technique counted once (as `_index_drafts` reads it)."""
    tests: dict[Any, Any] = {}
    for techniques in document.values():
        for technique_id, entry in techniques.items():
            if technique_id not in tests and isinstance(entry.get("atomic_tests"), list):
                tests[technique_id] = entry["atomic_tests"]
    return [test for technique_tests in tests.values() for test in technique_tests]


def _index_drafts(node: yaml.Node | None, document: dict[str, Any]) -> list[TemplateDraft]:
    """The drafts of every technique of an index that has tests. A technique stands under each
    of its tactics with the same tests: it is read once, where it first appears. Paths start
    with the technique's id (`T1059.001: atomic_tests.2`)."""
    drafts: list[TemplateDraft] = []
    read: set[Any] = set()
    for tactic, techniques in document.items():
        for technique_id, entry in techniques.items():
            if technique_id in read or not entry.get("atomic_tests"):
                continue
            read.add(technique_id)
            stix = entry.get("technique")
            technique = {
                "attack_technique": technique_id,
                "display_name": stix.get("name", "") if isinstance(stix, dict) else "",
                "atomic_tests": entry["atomic_tests"],
            }
            entry_node = _child(_child(node, tactic), technique_id)
            drafts += _technique_drafts(entry_node, technique, where=f"{technique_id}: ")
    return drafts


def _child(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    """The value node of `key` in a mapping node (None elsewhere)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == str(key)), None)


def _load(text: str | bytes) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers) and the plain data, in one pass."""
    if isinstance(text, bytes):
        text = _decoded(text)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        document = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        problem = error.problem or error.context or "invalid YAML"
        raise FormatError(f"Invalid YAML at {where}: {problem}.", {where: [problem]}) from error
    except yaml.YAMLError as error:
        raise FormatError(f"Invalid YAML: {error}.", {"_schema": [str(error)]}) from error
    except RecursionError as error:
        # The composer recurses once per level: a few hundred nested `[` exhaust Python's stack
        # (libyaml stops at 1000 levels, the pure Python parser nowhere). Atomic files nest < 10.
        problem = "The YAML is nested too deeply."
        raise FormatError(problem, {"_schema": [problem]}) from error
    finally:
        loader.dispose()
    return node, document


def _decoded(content: bytes) -> str:
    """The text of a YAML file: UTF-8, or UTF-16 with its byte order mark, as YAML readers
    take it. libyaml's own message for another encoding names neither the line nor the byte."""
    encoding = "utf-16" if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ""
    try:
        return content.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as error:
        raise undecodable(error, "" if encoding else " (or UTF-16)") from error


def _refuse_unstorable(node: yaml.Node | None, document: dict[str, Any]) -> None:
    """FormatError naming each string PostgreSQL cannot store (a NUL, from YAML's `"\\0"`).

    A body that is not a JSON request escapes the request's input guard (core/input_guard.py),
    so the document is checked here, all of it: real Atomic files hold no such character.
    """
    paths = unstorable_fields(document)
    if not paths:
        return
    tests = document.get("atomic_tests")
    errors = {}
    for path in paths:
        message = UNSTORABLE_MESSAGE
        parts = path.split(".")  # `atomic_tests.1.executor.command`: named by its test's name
        if parts[0] == "atomic_tests" and len(parts) > 1 and isinstance(tests, list):
            test = tests[int(parts[1])]
            if isinstance(test, dict) and isinstance(test.get("name"), str):
                message = f"Test {test['name']!r}: {UNSTORABLE_MESSAGE}"
        errors[path + _line_suffix(node, path)] = [message]
    raise FormatError.naming(DOCUMENT, errors)


def _refuse_non_finite_defaults(node: yaml.Node | None, technique: dict[str, Any]) -> None:
    """FormatError naming each argument whose default is `.nan` or `.inf`: JSON has no such
    number, so the JSONB column of the input arguments cannot hold it."""
    errors = {}
    for index, test in enumerate(technique["atomic_tests"]):
        for name, argument in (test.get("input_arguments") or {}).items():
            default = argument.get("default")
            if isinstance(default, float) and not math.isfinite(default):
                path = f"atomic_tests.{index}.input_arguments.{name}.default"
                message = f"Argument {name!r}: not a finite number (JSON has no NaN or infinity)."
                errors[path + _line_suffix(node, path)] = [message]
    if errors:
        raise FormatError.naming(DOCUMENT, errors)


def _refuse_shared_source_refs(
    node: yaml.Node | None, tests: list[dict[str, Any]], drafts: list[TemplateDraft]
) -> None:
    """FormatError naming both tests when two share a source_ref (a GUID, or a name when they
    have none): the import would write the second over the first. ART's own validator refuses
    a reused GUID too."""
    first_index: dict[str, int] = {}
    errors = {}
    for index, draft in enumerate(drafts):
        earlier = first_index.setdefault(draft.fields["source_ref"], index)
        if earlier == index:
            continue
        name, earlier_name = tests[index]["name"], tests[earlier]["name"]
        if tests[index]["auto_generated_guid"]:
            path = f"atomic_tests.{index}.auto_generated_guid"
            message = (
                f"Test {name!r} has the GUID of test {earlier_name!r} (atomic_tests.{earlier}): "
                "each test needs its own."
            )
        else:
            path = f"atomic_tests.{index}.name"
            message = (
                f"Test {name!r} has no GUID and the name of atomic_tests.{earlier}: "
                "give each test its own name or GUID."
            )
        errors[path + _line_suffix(node, path)] = [message]
    if errors:
        raise FormatError.naming(DOCUMENT, errors)


def _line_suffix(node: yaml.Node | None, path: str) -> str:
    """` (line N)` for the deepest node of `path` (`atomic_tests.2.executor.name`) that exists."""
    line = None
    for part in path.split("."):
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return f" (line {line})" if line else ""


# --- one atomic test → template fields ---------------------------------------------------------


def template_fields(technique: dict[str, Any], test: dict[str, Any]) -> dict[str, Any]:
    """The create-schema fields of one atomic test of `technique`."""
    technique_id = technique["attack_technique"]
    executor = test["executor"]
    arguments = input_arguments(test.get("input_arguments") or {})
    guid = test["auto_generated_guid"]
    return {
        "name": test["name"].strip(),
        "description": (test.get("description") or "").strip(),
        "procedure": procedure(executor, arguments),
        "cleanup": cleanup(executor),
        "prerequisites": prerequisites(test),
        "platforms": platforms(test["supported_platforms"]),
        "input_arguments": arguments,
        "references": [ATOMICS_URL.format(id=technique_id)],  # a sub-technique has its own folder
        "source": SOURCE,
        "source_ref": guid or name_ref(technique_id, test["name"].strip()),
        "mitre": [
            {
                "kind": "subtechnique" if "." in technique_id else "technique",
                "external_id": technique_id,
            }
        ],
    }


def atomic_pages(technique_ids: set[str]) -> set[str]:
    """The references an earlier import wrote on a template tagged with these techniques: their
    Atomic pages. A re-import replaces them; another link (even to another atomic) was added
    in Violet and stays."""
    return {ATOMICS_URL.format(id=technique_id) for technique_id in technique_ids}


def name_ref(technique_id: str, name: str) -> str:
    """The source_ref of a test without a GUID (hand-written atomics): technique and name.

    A name may be 200 characters and so may source_ref, which the technique id and its slash
    would overflow; such a name is replaced by its SHA-256 (hex), as stable across re-imports.
    """
    ref = f"{technique_id}/{name}"
    if len(ref) <= SOURCE_REF_MAX:
        return ref
    return f"{technique_id}/sha256:{hashlib.sha256(name.encode()).hexdigest()}"


def platforms(supported: list[str]) -> list[str]:
    """Violet's platforms of an atomic's; `linux:freebsd`, `iaas:oracle`… map as their family."""
    names = (name.strip().lower() for name in supported)
    mapped = (PLATFORMS.get(name) or PLATFORMS.get(name.partition(":")[0]) for name in names)
    return list(dict.fromkeys(name for name in mapped if name))


def input_arguments(arguments: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """`{name: {description, type, default}}` → a list in document order (JSON-safe defaults)."""
    return [
        {
            "name": name,
            "type": (argument.get("type") or "string").strip().lower(),
            "default": _json_safe(argument.get("default")),
            "description": (argument.get("description") or "").strip(),
        }
        for name, argument in arguments.items()
    ]


def _json_safe(value: Any) -> Any:
    # YAML may give dates or other scalars; JSON keeps strings, numbers, booleans and null.
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def procedure(executor: dict[str, Any], arguments: list[dict[str, Any]]) -> str:
    """Markdown: how to run it (command or manual steps) and the arguments the command uses."""
    name = executor["name"]
    elevation = " (elevation required)" if executor.get("elevation_required") else ""
    command = (executor.get("command") or "").strip()
    steps = (executor.get("steps") or "").strip()
    parts = []
    if command:
        parts += [f"Executor: `{name}`{elevation}", _code_block(command, name)]
    if steps:  # a manual executor may give a command too: both are kept
        parts += [f"Manual steps{'' if command else elevation}:", steps]
    if not parts:
        parts = [f"Executor: `{name}`{elevation}; the atomic gives no command."]
    if arguments:
        parts.append(arguments_table(arguments))
    return "\n\n".join(parts)


def arguments_table(arguments: list[dict[str, Any]]) -> str:
    rows = [
        # The SPA finds this line to not list the arguments twice (features/library/arguments.ts).
        "Input arguments (written `#{name}` where they are used):",
        "",
        "| Name | Type | Default | Description |",
        "| --- | --- | --- | --- |",
    ]
    for argument in arguments:
        default = argument["default"]
        shown = "" if default is None or default == "" else _code_span(_cell(_as_text(default)))
        name = _code_span(_cell(argument["name"]))
        kind, description = _cell(_plain(argument["type"])), _cell(_plain(argument["description"]))
        cells = (name, kind, shown, description)
        rows.append(f"| {' | '.join(cells)} |")
    return "\n".join(rows)


def _as_text(value: Any) -> str:
    """A default as the atomic writes it: `true`, not Python's `True`."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _plain(text: str) -> str:
    """Plain text as Markdown that shows it as written: a backslash before punctuation
    (`PathToAtomicsFolder\\..\\ExternalPayloads`) would be taken as an escape and vanish, `<user>`
    as raw HTML (which the SPA leaves out). Code spans are left as they are: descriptions use
    them for code, where a backslash is no escape. (`_` and `*` are left too: `#{file_path}`
    names an argument, and neither makes emphasis in how atomics use them.)"""
    written, done = [], 0
    for span in CODE_SPAN.finditer(text):
        written += [_escape_plain(text[done : span.start()]), span[0]]
        done = span.end()
    return "".join([*written, _escape_plain(text[done:])])


def _escape_plain(text: str) -> str:
    return re.sub(r"([\\<])", r"\\\1", text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code_span(text: str) -> str:
    """`text` as inline code, whatever backticks it holds (PowerShell escapes with them).

    CommonMark: the fence is a run of backticks longer than any run inside, and one space
    inside each end is added when the text starts or ends with a backtick (it would join the
    fence) or a space (a renderer strips one space from each end).
    """
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] in ("`", " ") or text[-1:] in ("`", " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cleanup(executor: dict[str, Any]) -> str:
    command = (executor.get("cleanup_command") or "").strip()
    return _code_block(command, executor["name"]) if command else ""


def prerequisites(test: dict[str, Any]) -> str:
    """Markdown: each dependency with its check command and the command that satisfies it."""
    language = test.get("dependency_executor_name") or test["executor"]["name"]
    parts = []
    for dependency in test.get("dependencies") or []:
        description = " ".join((dependency.get("description") or "").split()) or "Dependency"
        parts.append(f"**{_plain(description)}**")
        if (dependency.get("prereq_command") or "").strip():
            parts += ["Check:", _code_block(dependency["prereq_command"].strip(), language)]
        if (dependency.get("get_prereq_command") or "").strip():
            parts += ["Get it:", _code_block(dependency["get_prereq_command"].strip(), language)]
    return "\n\n".join(parts)


def _code_block(code: str, executor_name: str) -> str:
    language = CODE_LANGUAGES.get(executor_name, "")
    # CommonMark: a line of as many backticks as the fence would close it early.
    fence = "`" * max(3, max((len(run) for run in re.findall("`+", code)), default=0) + 1)
    return f"{fence}{language}\n{code}\n{fence}"
