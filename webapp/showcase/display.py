"""The replication tree drawn on a model's page: the model's commune on the left, the districts
its replications are in, and their communes, as coordinates a template turns into SVG (no
JavaScript). Narrow enough for a 360 px phone."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 22  # px between communes
WIDTH = 320
COLUMNS = (8, 112, 216)  # x of the model, the districts, the communes
NAME_MAX = 16  # characters shown; the list above the drawing gives the full names


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
    edges: list[tuple[int, int, int, int]]


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
    height = ROW * sum(len(v) for v in groups.values()) + ROW
    root = Node(COLUMNS[0], height // 2, _short(model.entry.registration_list.unit.name),
                model.entry.registration_list.unit.name)  # fmt: skip
    nodes, edges = [root], []
    y = ROW
    for district, communes in groups.items():
        top = y
        middle = top + ROW * (len(communes) - 1) // 2
        parent = root
        if district:
            parent = Node(COLUMNS[1], middle, _short(district), district)
            nodes.append(parent)
            edges.append((root.x + 92, root.y, parent.x - 4, parent.y))
        for name in communes:
            node = Node(COLUMNS[2], y, _short(name), name)
            nodes.append(node)
            edges.append((parent.x + 92, parent.y, node.x - 4, node.y))
            y += ROW
    return Tree(WIDTH, height, nodes, edges)
