"""The loose [project] input maturin builds, reshaped for pyproject-metadata (ferrule.metadata.lenient)."""

from __future__ import annotations

from typing import Any

from ferrule.metadata.lenient import lenient_table


def reshaped(table: dict[str, Any]) -> dict[str, Any]:
    lenient_table(table)
    return table


def test_a_readme_table_without_content_type_is_validated_as_plain_text() -> None:
    assert reshaped({"readme": {"file": "README"}}) == {
        "readme": {"file": "README", "content-type": "text/plain"}
    }
    md = {"file": "README.md", "content-type": "text/markdown"}
    assert reshaped({"readme": dict(md)}) == {"readme": md}
    assert reshaped({"readme": "README.md"}) == {"readme": "README.md"}


def test_entry_point_groups_that_are_no_dotted_names_are_left_out() -> None:
    groups = {"my-group": {"a": "m:a"}, "pytest11": {"b": "m:b"}, "x.y": {}, 3: {"c": "m:c"}}
    assert reshaped({"entry-points": groups}) == {
        "entry-points": {"pytest11": {"b": "m:b"}, "x.y": {}, 3: {"c": "m:c"}}
    }
    assert reshaped({"entry-points": "not a table"}) == {"entry-points": "not a table"}


def test_import_names_are_left_out() -> None:
    assert reshaped({"name": "x", "import-names": ["x"], "import-namespaces": ["y"]}) == {
        "name": "x"
    }


def test_license_classifiers_next_to_an_spdx_license_are_left_out() -> None:
    classifiers = ["License :: OSI Approved :: MIT License", "Typing :: Typed", 7]
    assert reshaped({"license": "MIT", "classifiers": list(classifiers)}) == {
        "license": "MIT",
        "classifiers": ["Typing :: Typed", 7],
    }
    # A license table (the legacy form) keeps them; so does a non-list.
    table = {"license": {"text": "MIT"}, "classifiers": list(classifiers)}
    assert reshaped(dict(table)) == table
    assert reshaped({"license": "MIT", "classifiers": "x"}) == {
        "license": "MIT",
        "classifiers": "x",
    }


def test_url_labels_over_32_characters_are_left_out() -> None:
    urls = {"a" * 32: "https://a", "b" * 33: "https://b", 5: "https://n"}
    assert reshaped({"urls": urls}) == {"urls": {"a" * 32: "https://a", 5: "https://n"}}
    assert reshaped({"urls": ["x"]}) == {"urls": ["x"]}
