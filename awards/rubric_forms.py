"""The rubric editor's form, read from and written to plain data (no Django form: the
rubric is a tree of rows whose number the user changes). rubrics.services.rubric_save
checks and writes it; this module only reads what was typed, applies the editor's
buttons (add, remove, move: they change the rows on the page, nothing is saved until
"Save the rubric"), and lays the rows out for the template with their errors and sums."""

from __future__ import annotations

from agencies.numbers import parse_int

MAX_ROWS = 200  # per level: a posted count above this is not believed


def _count(post, key) -> int:
    value = parse_int(post.get(key, ""))
    return min(value or 0, MAX_ROWS)


def _text(post, key) -> str:
    return post.get(key, "")


def rubric_post_data(post) -> dict:
    """The rubric as typed, in rubrics.services.rubric_edit_check's form, with the typed
    text of each number kept beside it (`*_text`), so a refused save shows it again."""
    dimensions = []
    for n in range(_count(post, "dimension_count")):
        p = f"d{n}-"
        indicators = []
        for m in range(_count(post, f"{p}indicator_count")):
            q = f"{p}i{m}-"
            focus = [
                (_text(post, f"{q}fp{k}-zh"), _text(post, f"{q}fp{k}-en"))
                for k in range(_count(post, f"{q}focus_count"))
            ]
            indicators.append(
                {
                    "id": parse_int(post.get(f"{q}id", "")),
                    "name_zh": _text(post, f"{q}name_zh"),
                    "name_en": _text(post, f"{q}name_en"),
                    "max_points": parse_int(post.get(f"{q}max_points", ""), signed=True),
                    "max_points_text": _text(post, f"{q}max_points"),
                    "focus_points": focus,
                }
            )
        dimensions.append(
            {
                "id": parse_int(post.get(f"{p}id", "")),
                "name_zh": _text(post, f"{p}name_zh"),
                "name_en": _text(post, f"{p}name_en"),
                "max_points": parse_int(post.get(f"{p}max_points", ""), signed=True),
                "max_points_text": _text(post, f"{p}max_points"),
                "indicators": indicators,
            }
        )
    return {
        "total_points": parse_int(post.get("total_points", ""), signed=True),
        "total_points_text": _text(post, "total_points"),
        "dimensions": dimensions,
    }


def _new_indicator() -> dict:
    return {
        "id": None,
        "name_zh": "",
        "name_en": "",
        "max_points": None,
        "max_points_text": "",
        "focus_points": [("", "")],
    }


def _swap(rows: list, i: int, j: int) -> None:
    if 0 <= i < len(rows) and 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]


def rubric_apply_action(data: dict, action: str) -> str | None:
    """Apply one editor button to the rows (in place). Returns the id of the element to
    put the focus on after the page is drawn again, or None for an unknown action."""
    name, _sep, args = action.partition(":")
    try:
        idx = [int(a) for a in args.split(":")] if args else []
    except ValueError:
        return None
    dims = data["dimensions"]

    def dim(n):
        return dims[n] if 0 <= n < len(dims) else None

    def ind(n, m):
        d = dim(n)
        return d["indicators"][m] if d and 0 <= m < len(d["indicators"]) else None

    if name == "add-dim" and not idx:
        dims.append(
            {
                "id": None,
                "name_zh": "",
                "name_en": "",
                "max_points": None,
                "max_points_text": "",
                "indicators": [_new_indicator()],
            }
        )
        return f"d{len(dims) - 1}-name_zh"
    if name == "remove-dim" and len(idx) == 1 and dim(idx[0]):
        del dims[idx[0]]
        return "add-dimension"
    if name in ("up-dim", "down-dim") and len(idx) == 1 and dim(idx[0]):
        target = idx[0] - 1 if name == "up-dim" else idx[0] + 1
        _swap(dims, idx[0], target)
        return f"d{max(0, min(target, len(dims) - 1))}-name_zh"
    if name == "add-ind" and len(idx) == 1 and dim(idx[0]):
        dims[idx[0]]["indicators"].append(_new_indicator())
        return f"d{idx[0]}-i{len(dims[idx[0]]['indicators']) - 1}-name_zh"
    if name == "remove-ind" and len(idx) == 2 and ind(*idx):
        del dims[idx[0]]["indicators"][idx[1]]
        return f"d{idx[0]}-add-indicator"
    if name in ("up-ind", "down-ind") and len(idx) == 2 and ind(*idx):
        rows = dims[idx[0]]["indicators"]
        target = idx[1] - 1 if name == "up-ind" else idx[1] + 1
        _swap(rows, idx[1], target)
        return f"d{idx[0]}-i{max(0, min(target, len(rows) - 1))}-name_zh"
    if name == "add-fp" and len(idx) == 2 and ind(*idx):
        points = ind(*idx)["focus_points"]
        points.append(("", ""))
        return f"d{idx[0]}-i{idx[1]}-fp{len(points) - 1}-zh"
    if name == "remove-fp" and len(idx) == 3 and ind(idx[0], idx[1]):
        points = ind(idx[0], idx[1])["focus_points"]
        if 0 <= idx[2] < len(points):
            del points[idx[2]]
            return f"d{idx[0]}-i{idx[1]}-add-focus"
    return None


def _sum(values) -> int | None:
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum(values)


def rubric_editor_rows(data: dict, errors: dict[str, list[str]]) -> dict:
    """The rows for templates/awards/config_rubric.html: every field's name, value and
    errors, and the sums (indicators per dimension, dimensions for the rubric) as the
    page was drawn; static/js/rubric-editor.js keeps them live as the user types."""

    def text(row, key):
        typed = row.get(f"{key}_text")
        if typed is not None:
            return typed
        value = row.get(key)
        return "" if value is None else str(value)

    dims = []
    for n, d in enumerate(data["dimensions"]):
        p = f"d{n}-"
        indicators = []
        for m, i in enumerate(d["indicators"]):
            q = f"{p}i{m}-"
            indicators.append(
                {
                    "prefix": q,
                    "index": m,
                    "number": m + 1,
                    "id": i.get("id") or "",
                    "name_zh": i["name_zh"],
                    "name_en": i["name_en"],
                    "max_points": text(i, "max_points"),
                    "errors": {
                        key: errors.get(f"{q}{key}", []) for key in ("name_zh", "max_points")
                    },
                    "focus_points": [
                        {
                            "prefix": f"{q}fp{k}-",
                            "index": k,
                            "number": k + 1,
                            "zh": zh,
                            "en": en,
                            "errors_zh": errors.get(f"{q}fp{k}-zh", []),
                            "errors_en": errors.get(f"{q}fp{k}-en", []),
                        }
                        for k, (zh, en) in enumerate(i["focus_points"])
                    ],
                    "is_first": m == 0,
                    "is_last": m == len(d["indicators"]) - 1,
                }
            )
        indicator_sum = _sum(i["max_points"] for i in d["indicators"])
        dims.append(
            {
                "prefix": p,
                "index": n,
                "number": n + 1,
                "id": d.get("id") or "",
                "name_zh": d["name_zh"],
                "name_en": d["name_en"],
                "max_points": text(d, "max_points"),
                "errors": {key: errors.get(f"{p}{key}", []) for key in ("name_zh", "max_points")},
                "indicators": indicators,
                "indicator_sum": indicator_sum,
                "adds_up": indicator_sum is not None and indicator_sum == d["max_points"],
                "is_first": n == 0,
                "is_last": n == len(data["dimensions"]) - 1,
            }
        )
    dimension_sum = _sum(d["max_points"] for d in data["dimensions"])
    return {
        "dimensions": dims,
        "dimension_count": len(dims),
        "total_points": text(data, "total_points"),
        "total_errors": errors.get("total_points", []),
        "dimension_sum": dimension_sum,
        "total_adds_up": dimension_sum is not None and dimension_sum == data["total_points"],
    }
