"""The import formats as pure functions: Atomic Red Team YAML and Violet's own JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt

from tests.library.atomic_index import index_text
from violet.library.formats import atomic_red_team, portable
from violet.library.formats.drafts import FormatError

FIXTURES = Path(__file__).parent / "fixtures"


def atomic(name: str) -> str:
    return (FIXTURES / name).read_text()


def by_name(drafts, name):
    return next(draft.fields for draft in drafts if draft.fields["name"] == name)


# --- Atomic Red Team -----------------------------------------------------------------------------


def test_every_atomic_test_of_a_technique_becomes_a_template_tagged_with_it():
    drafts = atomic_red_team.parse(atomic("T1059.001.yaml"))

    assert [draft.fields["name"] for draft in drafts] == [
        "Mimikatz",
        "Run BloodHound from local disk",
        "Obfuscation Tests",
        "PowerShell Session Creation and Use",
    ]
    assert [draft.path for draft in drafts] == [f"atomic_tests.{i}" for i in range(4)]
    for draft in drafts:
        assert draft.fields["mitre"] == [{"kind": "subtechnique", "external_id": "T1059.001"}]
        assert draft.fields["source"] == "atomic-red-team"
        assert draft.fields["platforms"] == ["windows"]
        assert draft.fields["references"] == [
            "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/T1059.001/T1059.001.md"
        ]
    assert drafts[0].fields["source_ref"] == "f3132740-55bc-48c4-bcc0-758a459cd027"


def test_a_technique_links_to_its_own_atomics_page():
    # ART keeps a sub-technique in its own folder: atomics/T1082/T1082.md, T1021.001/T1021.001.md.
    drafts = atomic_red_team.parse(atomic("T1082.yaml"))
    assert drafts[0].fields["references"] == [
        "https://github.com/redcanaryco/atomic-red-team/blob/master/atomics/T1082/T1082.md"
    ]


def test_a_technique_id_without_a_dot_is_a_technique_tag():
    drafts = atomic_red_team.parse(atomic("T1082.yaml"))
    assert {d.fields["mitre"][0]["kind"] for d in drafts} == {"technique"}
    assert {d.fields["mitre"][0]["external_id"] for d in drafts} == {"T1082"}


def test_command_goes_to_the_procedure_with_its_executor_and_elevation():
    mimikatz = by_name(atomic_red_team.parse(atomic("T1059.001.yaml")), "Mimikatz")

    assert mimikatz["procedure"].startswith(
        "Executor: `command_prompt` (elevation required)\n\n```cmd\npowershell.exe"
    )
    assert "Invoke-Mimikatz -DumpCreds" in mimikatz["procedure"]
    assert mimikatz["cleanup"] == ""


def test_input_arguments_are_kept_with_types_and_defaults_and_shown_in_the_procedure():
    bloodhound = by_name(
        atomic_red_team.parse(atomic("T1059.001.yaml")), "Run BloodHound from local disk"
    )

    assert bloodhound["input_arguments"] == [
        {
            "name": "file_path",
            "type": "string",
            "default": "PathToAtomicsFolder\\..\\ExternalPayloads",
            "description": "File path for SharpHound payload",
        },
        {
            "name": "timeout_seconds",
            "type": "integer",
            "default": 30,
            "description": "How long to wait for collection",
        },
    ]
    procedure = bloodhound["procedure"]
    assert "import-module #{file_path}\\SharpHound.ps1" in procedure
    assert "| Name | Type | Default | Description |" in procedure
    assert "| `timeout_seconds` | integer | `30` | How long to wait for collection |" in procedure
    assert bloodhound["cleanup"] == (
        "```powershell\nRemove-Item $env:Temp\\*BloodHound.zip -Force\n```"
    )


def test_a_default_with_backticks_is_one_code_span_in_the_arguments_table():
    # The real atomic: a PowerShell default with `n escapes broke the one-backtick code span.
    procedure = by_name(
        atomic_red_team.parse(atomic("T1110.001.yaml")),
        "Brute Force Credentials of single Azure AD user",
    )["procedure"]

    assert procedure.endswith(
        "| `passwords` | string | ``Password1`n1q2w3e4r`nPassword!`` "
        "| List of passwords we will attempt to brute force with |"
    )
    # Rendered by a CommonMark parser with GFM tables (markdown-it-py, in the dev lock).
    html = MarkdownIt("commonmark").enable("table").render(procedure)
    assert "<td><code>Password1`n1q2w3e4r`nPassword!</code></td>" in html


@pytest.mark.parametrize(
    ("default", "cell"),
    [
        ("plain", "`plain`"),
        ("a`b``c", "```a`b``c```"),
        ("`edge`", "`` `edge` ``"),
        (" spaced ", "`  spaced  `"),
        ("a|b\nc", "`a\\|b c`"),
    ],
)
def test_a_default_is_written_as_a_code_span_that_keeps_it(default, cell):
    table = atomic_red_team.arguments_table(
        [{"name": "x", "type": "string", "default": default, "description": ""}]
    )
    assert table.splitlines()[-1] == f"| `x` | string | {cell} |  |"
    html = MarkdownIt("commonmark").enable("table").render(table)
    shown = default.replace("\n", " ")
    assert f"<code>{shown}</code>" in html


def test_empty_boolean_and_number_defaults_are_shown_as_the_atomic_writes_them():
    table = atomic_red_team.arguments_table(
        [
            {"name": name, "type": kind, "default": default, "description": ""}
            for name, kind, default in [
                ("empty", "string", ""),
                ("flag", "bool", True),
                ("off", "bool", False),
                ("count", "integer", 0),
            ]
        ]
    )

    assert table.splitlines()[-4:] == [
        "| `empty` | string |  |  |",  # no `` (two backticks shown as text)
        "| `flag` | bool | `true` |  |",
        "| `off` | bool | `false` |  |",
        "| `count` | integer | `0` |  |",
    ]


def test_a_command_holding_backtick_lines_stays_one_code_block():
    command = "echo start\n````\necho end"  # a line of 4 backticks closed the ```` fence
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: x\n  executor:\n    name: sh\n"
        "    command: |\n" + "".join(f"      {line}\n" for line in command.splitlines())
    )

    procedure = atomic_red_team.parse(text)[0].fields["procedure"]

    assert procedure == f"Executor: `sh`\n\n`````sh\n{command}\n`````"
    html = MarkdownIt("commonmark").render(procedure)
    assert f'<pre><code class="language-sh">{command}\n</code></pre>' in html


def test_dependencies_become_prerequisites_with_check_and_get_commands():
    bloodhound = by_name(
        atomic_red_team.parse(atomic("T1059.001.yaml")), "Run BloodHound from local disk"
    )

    prerequisites = bloodhound["prerequisites"]
    assert prerequisites.startswith("**SharpHound.ps1 must be located at #{file_path}**")
    assert "Check:\n\n```powershell\nif (Test-Path #{file_path}\\SharpHound.ps1)" in prerequisites
    assert "Get it:\n\n```powershell\nNew-Item -Type Directory" in prerequisites


def test_a_manual_executor_gives_its_steps_or_says_there_is_no_command():
    phishing = atomic_red_team.parse(atomic("T1566.001.yaml"))
    discovery = atomic_red_team.parse(atomic("T1082.yaml"))

    with_steps = by_name(phishing, "Send a phishing email with a malicious attachment")
    assert with_steps["procedure"].startswith("Manual steps:\n\n1. Build a macro-enabled document")
    assert "`recipient`" in with_steps["procedure"]
    no_steps = by_name(discovery, "Check the Azure tenant's devices")
    assert no_steps["procedure"] == "Executor: `manual`; the atomic gives no command."


def test_a_manual_executor_with_a_command_and_steps_keeps_both():
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: m\n"
        "  executor: {name: manual, elevation_required: true, command: x, steps: '1. click'}\n"
    )

    procedure = atomic_red_team.parse(text)[0].fields["procedure"]

    assert procedure == (
        "Executor: `manual` (elevation required)\n\n```\nx\n```\n\nManual steps:\n\n1. click"
    )


def test_platforms_violet_has_no_counterpart_for_are_left_out():
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: m\n"
        "  supported_platforms: [esxi, Windows, ' linux ']\n  executor: {name: sh}\n"
    )
    assert atomic_red_team.parse(text)[0].fields["platforms"] == ["windows", "linux"]


def test_a_platform_s_family_maps_when_the_platform_itself_does_not():
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: m\n"
        "  supported_platforms: ['linux:freebsd', 'iaas:oracle']\n  executor: {name: sh}\n"
    )
    assert atomic_red_team.parse(text)[0].fields["platforms"] == ["linux", "cloud"]


def test_platforms_are_mapped_and_deduplicated():
    phishing = atomic_red_team.parse(atomic("T1566.001.yaml"))
    discovery = atomic_red_team.parse(atomic("T1082.yaml"))

    assert by_name(phishing, "Send a phishing email with a malicious attachment")["platforms"] == [
        "saas",
        "windows",
    ]
    assert by_name(discovery, "List OS Information")["platforms"] == ["linux", "macos"]
    assert by_name(discovery, "Check the Azure tenant's devices")["platforms"] == [
        "identity",
        "cloud",
    ]


def test_a_test_without_a_guid_is_recognised_by_technique_and_name():
    no_guid = by_name(
        atomic_red_team.parse(atomic("T1082.yaml")), "Check the Azure tenant's devices"
    )
    assert no_guid["source_ref"] == "T1082/Check the Azure tenant's devices"


def test_plain_scalars_are_read_as_yaml_1_2_writes_them_not_as_yaml_1_1():
    # T1053.005's `time: default: 20:10` became 1210 (YAML 1.1 base 60), `0755` became 493.
    defaults = {
        "time": ("20:10", "20:10"),
        "mode": ("0755", "0755"),
        "answer": ("yes", "yes"),
        "day": ("2024-01-01", "2024-01-01"),
        "sign": ("=", "="),
        "hex": ("0x1F", "0x1F"),
        "flag": ("true", True),
        "count": ("5", 5),
        "ratio": ("1.5", 1.5),
        "nothing": ("null", None),
    }
    arguments = "".join(
        f"    {name}: {{type: string, default: {written}}}\n"
        for name, (written, _) in defaults.items()
    )
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: m\n  input_arguments:\n"
        + arguments
        + "  executor: {name: sh, command: 'at #{time}'}\n"
    )

    [draft] = atomic_red_team.parse(text)

    kept = {argument["name"]: argument["default"] for argument in draft.fields["input_arguments"]}
    assert kept == {name: value for name, (_, value) in defaults.items()}
    assert "| `time` | string | `20:10` |  |" in draft.fields["procedure"]


def test_a_guid_is_written_in_canonical_form_and_one_that_is_no_uuid_is_kept():
    # The real T1087.004 once had `…-550ewfefwcbc`: the whole file was refused.
    text = (
        "attack_technique: T1087.004\natomic_tests:\n"
        "- name: a\n  auto_generated_guid: 8C2C3A0E-9B5F-4C5E-A0E1-5D8D7E8E2D31\n"
        "  executor: {name: sh, command: id}\n"
        "- name: b\n  auto_generated_guid: c0d5e0f1-1f2a-4c1e-8d6b-550ewfefwcbc\n"
        "  executor: {name: sh, command: id}\n"
    )

    refs = [draft.fields["source_ref"] for draft in atomic_red_team.parse(text)]

    assert refs == ["8c2c3a0e-9b5f-4c5e-a0e1-5d8d7e8e2d31", "c0d5e0f1-1f2a-4c1e-8d6b-550ewfefwcbc"]


def test_an_older_file_naming_its_technique_in_a_list_is_read():
    # The real T1124 of older releases: `attack_technique:\n- T1124`.
    text = "attack_technique:\n- T1124\natomic_tests:\n- name: a\n  executor: {name: sh}\n"

    [draft] = atomic_red_team.parse(text)

    assert draft.fields["mitre"] == [{"kind": "technique", "external_id": "T1124"}]
    with pytest.raises(FormatError):
        atomic_red_team.parse(text.replace("- T1124", "[T1124, T1059]"))


def test_descriptions_put_into_markdown_render_as_written():
    # ART's dependencies say `PathToAtomicsFolder\..\ExternalPayloads`: `\.` is an escape in
    # Markdown, and the backslash vanished; `<user>` was raw HTML, which the SPA leaves out.
    description = r"Put it in PathToAtomicsFolder\..\ExternalPayloads as <user>, see `C:\x\*`"
    text = (
        "attack_technique: T1059\natomic_tests:\n- name: a\n"
        "  input_arguments:\n    p: {type: path, default: x, description: '" + description + "'}\n"
        "  dependencies:\n  - description: '" + description + "'\n    prereq_command: exit 0\n"
        "  executor: {name: sh, command: 'run #{p}'}\n"
    )

    [draft] = atomic_red_team.parse(text)

    markdown = MarkdownIt("commonmark").enable("table")
    shown = r"Put it in PathToAtomicsFolder\..\ExternalPayloads as &lt;user&gt;, see "
    shown += r"<code>C:\x\*</code>"
    assert f"<p><strong>{shown}</strong></p>" in markdown.render(draft.fields["prerequisites"])
    assert f"<td>{shown}</td>" in markdown.render(draft.fields["procedure"])


def test_a_name_too_long_for_the_source_ref_is_replaced_by_its_hash():
    fits = "N" * 190  # "T1059.001/" + 190 characters: exactly 200
    text = (
        "attack_technique: T1059.001\natomic_tests:\n"
        f"- name: {fits}\n  executor: {{name: sh}}\n"
        f"- name: {fits}N\n  executor: {{name: sh}}\n"
    )

    kept, hashed = (draft.fields["source_ref"] for draft in atomic_red_team.parse(text))

    assert kept == f"T1059.001/{fits}"
    assert hashed == "T1059.001/sha256:" + hashlib.sha256(f"{fits}N".encode()).hexdigest()


def test_an_index_gives_each_technique_s_tests_once():
    drafts = atomic_red_team.parse(index_text())

    assert [draft.path for draft in drafts] == [
        *(f"T1059.001: atomic_tests.{i}" for i in range(4)),
        *(f"T1082: atomic_tests.{i}" for i in range(4)),
    ]
    assert [draft.fields for draft in drafts[:4]] == [
        draft.fields for draft in atomic_red_team.parse(atomic("T1059.001.yaml"))
    ]
    assert drafts[4].fields["mitre"] == [{"kind": "technique", "external_id": "T1082"}]


def test_a_problem_in_an_index_names_its_technique_and_line():
    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(index_text(break_t1082=True))

    [(path, messages)] = caught.value.errors.items()
    assert path.startswith("T1082: atomic_tests.1.executor.name (line ")
    assert messages == ["Missing data for required field."]
    assert caught.value.detail.startswith("Not a valid Atomic Red Team index: T1082: ")


def test_bad_yaml_names_its_line():
    text = "attack_technique: T1082\natomic_tests:\n- name: ok\n  executor: [unclosed\n"

    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)

    assert "line 5" in caught.value.detail
    assert list(caught.value.errors) == ["line 5, column 1"]


def test_a_wrong_shape_names_the_path_and_its_line():
    text = (
        "attack_technique: T1082\n"
        "atomic_tests:\n"
        "- name: first\n"
        "  executor:\n"
        "    name: sh\n"
        "- name: second\n"
        "  executor:\n"
        "    command: uname -a\n"
    )

    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)

    assert caught.value.errors == {
        "atomic_tests.1.executor.name (line 8)": ["Missing data for required field."]
    }


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("atomic_tests: []\n", "attack_technique"),
        (
            "attack_technique: Execution\natomic_tests: [{name: x, executor: {name: sh}}]\n",
            "attack_technique (line 1)",
        ),
        ("attack_technique: T1082\natomic_tests: []\n", "atomic_tests (line 2)"),
        ("- just\n- a list\n", "_schema"),
        ("execution: {}\n", "attack_technique"),  # not an index either: it lists nothing
        ("", "_schema"),
    ],
)
def test_documents_that_are_not_atomic_files_are_refused(text, field):
    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)
    assert field in caught.value.errors


def test_yaml_tags_that_build_objects_are_refused():
    text = "attack_technique: !!python/object/apply:os.system ['true']\natomic_tests: []\n"
    with pytest.raises(FormatError):
        atomic_red_team.parse(text)


def test_yaml_aliases_are_refused_with_their_line():
    # `*t` repeats the anchored test: 500 of them made ~100 MB of drafts from a 200 KB body.
    text = (
        "attack_technique: T1059\n"
        "t: &t {name: x, executor: {name: sh, command: id}}\n"
        "atomic_tests: [*t, *t]\n"
    )

    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)

    assert caught.value.errors == {
        "line 3, column 16": ["found the alias *t; YAML aliases are not accepted"]
    }


def test_a_merge_key_is_an_alias_too():
    text = (
        "attack_technique: T1059\n"
        "base: &base {name: sh, command: id}\n"
        "atomic_tests:\n"
        "- name: x\n"
        "  executor: {<<: *base}\n"
    )
    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)
    assert list(caught.value.errors) == ["line 5, column 18"]


def test_an_anchor_without_an_alias_is_read():
    text = "attack_technique: T1059\natomic_tests:\n- &a {name: x, executor: {name: sh}}\n"
    assert atomic_red_team.parse(text)[0].fields["name"] == "x"


def test_a_repeated_key_is_refused_with_its_line():
    # PyYAML keeps the last value: the test's first command was silently dropped.
    text = (
        "attack_technique: T1059\n"
        "atomic_tests:\n"
        "- name: x\n"
        "  executor:\n"
        "    name: sh\n"
        "    command: whoami\n"
        "    command: id\n"
    )

    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)

    assert caught.value.errors == {
        "line 7, column 5": ["found the key 'command' a second time in this mapping"]
    }


def test_deeply_nested_yaml_is_refused():
    text = "attack_technique: T1059\natomic_tests: " + "[" * 900 + "]" * 900 + "\n"
    with pytest.raises(FormatError) as caught:
        atomic_red_team.parse(text)
    assert caught.value.errors == {"_schema": ["The YAML is nested too deeply."]}


# --- Violet's own JSON ---------------------------------------------------------------------------


def exported_template(**overrides):
    values = {
        "id": "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11",
        "name": "Encoded PowerShell",
        "description": "desc",
        "procedure": "powershell -enc …",
        "cleanup": None,
        "prerequisites": None,
        "expected_detection": "EDR alert",
        "platforms": ["windows"],
        "opsec_level": "medium",
        "tags": ["lolbin"],
        "references": ["https://attack.mitre.org/techniques/T1059/001/"],
        "source": None,
        "source_ref": None,
        "input_arguments": [],
        "mitre_tags": [
            SimpleNamespace(kind="tactic", external_id="TA0002"),
            SimpleNamespace(kind="subtechnique", external_id="T1059.001"),
        ],
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def test_export_then_parse_gives_back_every_field():
    from datetime import UTC, datetime

    template = exported_template()
    document = portable.export_document([template], datetime(2026, 11, 30, tzinfo=UTC))
    text = json.dumps(document)

    [draft] = portable.parse(text)

    assert document["format"] == "violet-library" and document["format_version"] == 1
    assert draft.key == template.id
    assert draft.path == "test_templates.0"
    assert draft.fields["name"] == "Encoded PowerShell"
    assert draft.fields["cleanup"] is None
    assert draft.fields["mitre"] == [
        {"kind": "tactic", "external_id": "TA0002"},
        {"kind": "subtechnique", "external_id": "T1059.001"},
    ]


def test_bad_json_names_its_line_and_column():
    with pytest.raises(FormatError) as caught:
        portable.parse('{\n  "format": "violet-library",\n  "test_templates": [,]\n}')
    assert list(caught.value.errors) == ["line 3, column 22"]


def test_a_bad_entry_names_its_path():
    document = {
        "format": "violet-library",
        "format_version": 1,
        "test_templates": [
            {"id": "0b0c7a4e-4f7e-4d0c-9c55-2f0a6f1f1a11", "name": "ok"},
            {"id": "6a1e1f0c-8d35-4a43-a4f9-3b4b77d2b7e2", "name": "x", "opsec_level": "extreme"},
        ],
    }
    with pytest.raises(FormatError) as caught:
        portable.parse(json.dumps(document))
    assert list(caught.value.errors) == ["test_templates.1.opsec_level"]


def test_another_format_is_refused():
    with pytest.raises(FormatError) as caught:
        portable.parse(json.dumps({"format": "navigator-layer", "format_version": 1}))
    assert set(caught.value.errors) == {"format", "test_templates"}


def test_a_file_of_the_early_2018_format_is_read():
    # The shape of the real T1113 of early 2018: the executor as a one-item list, the input
    # arguments under `args`.
    text = (
        "attack_technique: T1113\n"
        "display_name: Screen Capture\n"
        "atomic_tests:\n"
        "- name: Screencapture\n"
        "  supported_platforms:\n"
        "    - macos\n"
        "  args:\n"
        "    output_file:\n"
        "      default: desktop.png\n"
        "  executor:\n"
        "  - name: bash\n"
        '    command: "screencapture -x #{output_file}"\n'
    )

    [draft] = atomic_red_team.parse(text)

    assert draft.fields["procedure"].startswith("Executor: `bash`")
    assert "screencapture -x #{output_file}" in draft.fields["procedure"]
    assert draft.fields["input_arguments"] == [
        {"name": "output_file", "description": "", "type": "string", "default": "desktop.png"}
    ]
    with pytest.raises(FormatError) as two_executors:
        atomic_red_team.parse(text + "  - name: sh\n    command: x\n")
    assert two_executors.value.errors == {
        "atomic_tests.0.executor (line 11)": [
            "Must be a mapping with the executor's name and command."
        ]
    }
