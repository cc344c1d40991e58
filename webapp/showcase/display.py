"""The replication tree drawn on a model's page, as coordinates a template turns into SVG (no
JavaScript): the model's commune at the top, below it the districts its replications are in,
and under each its communes, one row each, indented like a file tree — so long Vietnamese names
never overlap and the drawing fits a 360 px phone."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 22  # px between rows
INDENT = 18  # px per level
WIDTH = 320
NAME_MAX = 44  # characters shown; the list above the drawing gives the full names


@dataclass(frozen=True)
class Node:
    x: int
    y: int
    label: str
    full: str


@dataclass(frozen=True)
class Tree:
    width: int
    height: int
    nodes: list[Node]
    edges: list[tuple[int, int, int, int]]  # elbow lines: down from the parent, then right


def _short(name: str) -> str:
    return name if len(name) <= NAME_MAX else name[: NAME_MAX - 1] + "…"


def replication_tree(model, replications) -> Tree | None:
    if not replications:
        return None
    groups: dict[str, list[str]] = {}
    for row in replications:
        district = row.district.name if row.district is not None else ""
        names = groups.setdefault(district, [])
        if row.commune.name not in names:
            names.append(row.commune.name)
    home = model.entry.registration_list.unit.name
    root = Node(6, ROW // 2 + 2, _short(home), home)
    nodes, edges = [root], []
    y = root.y
    for district, communes in groups.items():
        parent = root
        if district:
            y += ROW
            parent = Node(root.x + INDENT, y, _short(district), district)
            nodes.append(parent)
            edges.append((root.x, root.y, parent.x, parent.y))
        for name in communes:
            y += ROW
            node = Node(parent.x + INDENT, y, _short(name), name)
            nodes.append(node)
            edges.append((parent.x, parent.y, node.x, node.y))
    return Tree(WIDTH, y + ROW // 2, nodes, edges)
