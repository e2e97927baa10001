"""HCL1, as the hcl v1 library Vault and OpenBao parse policies with reads it
(hashicorp/hcl ``v1.0.1-vault-7``): a scanner and parser into a small syntax tree, and
the JSON form beside it. Not HCL2: no expressions, no interpolation (``${...}`` stays
literal text), newlines are plain whitespace, items may be separated by commas.

Errors carry the position as the library prints it: ``At <line>:<column>: <message>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional, Union


class HclError(ValueError):
    def __init__(self, message: str, line: int = 0, column: int = 0):
        self.line, self.column, self.message = line, column, message
        super().__init__(f"At {line}:{column}: {message}" if line else message)


@dataclass(frozen=True)
class Token:
    kind: str
    """IDENT, STRING, HEREDOC, NUMBER, FLOAT, BOOL, LBRACE, RBRACE, LBRACK, RBRACK, ASSIGN, COMMA, EOF."""
    text: str
    line: int
    column: int

    def value(self) -> Any:
        """What the library's ``Token.Value()`` gives: strings unquoted, numbers parsed."""
        if self.kind == "STRING":
            return unquote(self.text, self.line, self.column)
        if self.kind == "HEREDOC":
            return _heredoc_value(self.text)
        if self.kind == "BOOL":
            return self.text == "true"
        if self.kind == "NUMBER":
            digits = self.text.lstrip("-")
            base = 16 if digits.lower().startswith("0x") else 8 if len(digits) > 1 and digits[0] == "0" else 10
            return int(self.text, base)
        if self.kind == "FLOAT":
            return float(self.text)
        return self.text


@dataclass
class Literal:
    token: Token


@dataclass
class ListNode:
    items: list["Node"]
    line: int
    column: int


@dataclass
class ObjectNode:
    """``{ ... }``: its items."""

    items: list["Item"]
    line: int
    column: int


@dataclass
class Item:
    keys: list[Token]
    value: "Node"
    assign: Optional[tuple[int, int]] = None
    """Where ``=`` stands; None for a block (``key "label" { ... }``), which the library
    reports as line 0."""

    @property
    def key(self) -> str:
        return str(self.keys[0].value()) if self.keys else ""


Node = Union[Literal, ListNode, ObjectNode]


@dataclass
class Document:
    items: list[Item] = field(default_factory=list)
    json: bool = False


# --------------------------------------------------------------------------- scanner


def _is_letter(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


class _Scanner:
    def __init__(self, text: str):
        self.text, self.pos, self.line, self.column = text, 0, 1, 0

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def _next(self) -> str:
        ch = self._peek()
        if ch:
            self.pos += 1
            if ch == "\n":
                self.line, self.column = self.line + 1, 0
            else:
                self.column += 1
        return ch

    def tokens(self) -> list[Token]:
        found = []
        while True:
            token = self._scan()
            found.append(token)
            if token.kind == "EOF":
                return found

    def _scan(self) -> Token:
        while self._peek() in (" ", "\t", "\n", "\r") and self._peek():
            self._next()
        line, column, start = self.line, self.column + 1, self.pos
        ch = self._next()
        if not ch:
            return Token("EOF", "", line, column)
        if _is_letter(ch):
            while _is_letter(self._peek()) or self._peek().isdigit() or self._peek() in "-.":
                self._next()
            text = self.text[start:self.pos]
            return Token("BOOL" if text in ("true", "false") else "IDENT", text, line, column)
        if ch.isdigit() or (ch == "-" and self._peek().isdigit()):
            return self._number(start, line, column)
        simple = {"{": "LBRACE", "}": "RBRACE", "[": "LBRACK", "]": "RBRACK", "=": "ASSIGN", ",": "COMMA"}
        if ch in simple:
            return Token(simple[ch], ch, line, column)
        if ch == '"':
            self._string(line, column)
            return Token("STRING", self.text[start:self.pos], line, column)
        if ch == "<" and self._peek() == "<":
            return self._heredoc(start, line, column)
        if ch in "#/":
            self._comment(ch, line, column)
            return self._scan()
        raise HclError(f"illegal char {ch!r}" if ch.isprintable() else "illegal char", line, column)

    def _number(self, start: int, line: int, column: int) -> Token:
        kind = "NUMBER"
        if self.text[start] == "0" and self._peek() in "xX":
            self._next()
            while self._peek() and self._peek() in "0123456789abcdefABCDEF":
                self._next()
            return Token(kind, self.text[start:self.pos], line, column)
        while self._peek().isdigit():
            self._next()
        if self._peek() == "." and self._peek(1).isdigit():
            kind = "FLOAT"
            self._next()
            while self._peek().isdigit():
                self._next()
        if self._peek() in ("e", "E"):
            kind = "FLOAT"
            self._next()
            if self._peek() in "+-":
                self._next()
            while self._peek().isdigit():
                self._next()
        return Token(kind, self.text[start:self.pos], line, column)

    def _string(self, line: int, column: int) -> None:
        braces = 0
        while True:
            ch = self._next()
            if not ch or (ch == "\n" and braces == 0):
                raise HclError("literal not terminated", line, column)
            if ch == '"' and braces == 0:
                return
            if braces == 0 and ch == "$" and self._peek() == "{":
                braces += 1
                self._next()
            elif braces > 0 and ch == "{":
                braces += 1
            if braces > 0 and ch == "}":
                braces -= 1
            if ch == "\\":
                self._next()

    def _heredoc(self, start: int, line: int, column: int) -> Token:
        self._next()  # the second '<'
        if self._peek() == "-":
            self._next()
        anchor_start = self.pos
        while _is_letter(self._peek()) or self._peek().isdigit():
            self._next()
        anchor = self.text[anchor_start:self.pos]
        if self._peek() == "\r":
            self._next()
        if not anchor or self._next() != "\n":
            raise HclError("heredoc expected a newline after the anchor", line, column)
        while True:
            line_start = self.pos
            while self._peek() and self._peek() != "\n":
                self._next()
            if self.text[line_start:self.pos].strip() == anchor:
                return Token("HEREDOC", self.text[start:self.pos], line, column)
            if not self._next():
                raise HclError("heredoc not terminated", line, column)

    def _comment(self, ch: str, line: int, column: int) -> None:
        if ch == "#" or (ch == "/" and self._peek() == "/"):
            while self._peek() and self._peek() != "\n":
                self._next()
            return
        if ch == "/" and self._peek() == "*":
            self._next()
            while True:
                current = self._next()
                if not current:
                    raise HclError("comment not terminated", line, column)
                if current == "*" and self._peek() == "/":
                    self._next()
                    return
        raise HclError("expected '/' for comment", line, column)


_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def unquote(text: str, line: int = 0, column: int = 0) -> str:
    """A quoted string's value: escapes decoded outside ``${...}``, kept inside it."""
    body, out, index, braces = text[1:-1], [], 0, 0
    while index < len(body):
        ch = body[index]
        if braces == 0 and body.startswith("${", index):
            braces, index = 1, index + 2
            out.append("${")
            continue
        if braces > 0:
            braces += ch == "{"
            braces -= ch == "}"
            out.append(ch)
            index += 1
            continue
        if ch != "\\":
            out.append(ch)
            index += 1
            continue
        escape = body[index + 1:index + 2]
        if escape in _ESCAPES:
            out.append(_ESCAPES[escape])
            index += 2
        elif escape in ("u", "U"):
            width = 4 if escape == "u" else 8
            digits = body[index + 2:index + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise HclError("invalid syntax", line, column) from None
            index += 2 + width
        else:
            raise HclError("invalid syntax", line, column)
    return "".join(out)


def _heredoc_value(text: str) -> str:
    """A heredoc's text, its final newline kept; ``<<-`` removes the common indentation."""
    first, _, rest = text.partition("\n")
    lines = rest.split("\n")[:-1]
    if first.startswith("<<-"):
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    return "".join(line + "\n" for line in lines)


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens, self.index = tokens, 0

    def _scan(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1 if token.kind != "EOF" else 0
        return token

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def object_list(self, nested: bool) -> list[Item]:
        items: list[Item] = []
        while True:
            if nested and self._peek().kind == "RBRACE":
                return items
            if self._peek().kind == "EOF":
                if nested:
                    token = self._peek()
                    raise HclError(f"object expected closing RBRACE got: {token.kind}", token.line, token.column)
                return items
            items.append(self._item())
            if self._peek().kind == "COMMA":  # items may be comma-delimited
                self._scan()

    def _item(self) -> Item:
        keys: list[Token] = []
        while True:
            token = self._scan()
            if token.kind in ("IDENT", "STRING"):
                keys.append(token)
                continue
            if token.kind == "ASSIGN":
                if len(keys) > 1:
                    raise HclError(f"nested object expected: LBRACE got: {token.kind}", token.line, token.column)
                if not keys:
                    raise HclError("no object keys found!", token.line, token.column)
                return Item(keys, self.value(), (token.line, token.column))
            if token.kind == "LBRACE":
                if not keys:
                    raise HclError(f"expected: IDENT | STRING got: {token.kind}", token.line, token.column)
                return Item(keys, self._object(token))
            if token.kind == "EOF":
                where = keys[-1] if keys else token
                raise HclError(f"key '{keys[-1].text if keys else ''}' expected start of object ('{{') or "
                               "assignment ('=')", where.line, where.column)
            raise HclError(f"expected: IDENT | STRING | ASSIGN | LBRACE got: {token.kind}", token.line, token.column)

    def value(self) -> Node:
        token = self._scan()
        if token.kind in ("NUMBER", "FLOAT", "BOOL", "STRING", "HEREDOC"):
            return Literal(token)
        if token.kind == "LBRACE":
            return self._object(token)
        if token.kind == "LBRACK":
            return self._list(token)
        raise HclError(f"Unknown token: {token.kind}", token.line, token.column)

    def _object(self, opening: Token) -> ObjectNode:
        items = self.object_list(nested=True)
        self._scan()  # the closing brace
        return ObjectNode(items, opening.line, opening.column)

    def _list(self, opening: Token) -> ListNode:
        items: list[Node] = []
        need_comma = False
        while True:
            token = self._scan()
            if need_comma and token.kind not in ("COMMA", "RBRACK"):
                raise HclError(f"error parsing list, expected comma or list end, got: {token.kind}",
                               token.line, token.column)
            if token.kind in ("BOOL", "NUMBER", "FLOAT", "STRING", "HEREDOC"):
                items.append(Literal(token))
            elif token.kind == "COMMA":
                need_comma = False
                continue
            elif token.kind == "LBRACE":
                items.append(self._object(token))
            elif token.kind == "LBRACK":
                items.append(self._list(token))
            elif token.kind == "RBRACK":
                return ListNode(items, opening.line, opening.column)
            else:
                raise HclError(f"unexpected token while parsing list: {token.kind}", token.line, token.column)
            need_comma = True


def parse(text: str) -> Document:
    """The syntax tree of an HCL1 document, or of its JSON form (first non-blank ``{``)."""
    if text.lstrip().startswith("{"):
        return Document(_from_json(text), json=True)
    return Document(_Parser(_Scanner(text).tokens()).object_list(nested=False))


def duplicate_attributes(items: list[Item]) -> Optional[HclError]:
    """The library's strict parse (Vault): the first ``key = value`` item whose key, as
    written, was already assigned in the same object — blocks and differently quoted
    spellings are not compared."""
    seen: set[str] = set()
    for item in items:
        if item.assign is not None:
            written = item.keys[0].text
            if written in seen:
                line, column = item.keys[0].line, item.keys[0].column
                return HclError(f'The argument "{item.key}" at {line}:{column} was already set. Each argument can '
                                "only be defined once")
            seen.add(written)
        nested = item.value
        for node in ([nested] if isinstance(nested, ObjectNode) else []):
            found = duplicate_attributes(node.items)
            if found:
                return found
    return None


def _from_json(text: str) -> list[Item]:
    """The JSON form, duplicates kept in order (the library's JSON parser keeps them all)."""
    try:
        document = json.loads(text, object_pairs_hook=lambda pairs: _JsonObject(pairs))
    except ValueError as error:
        raise HclError(f"invalid JSON: {error}") from None
    if not isinstance(document, _JsonObject):
        raise HclError("does not contain a root object")
    return _json_items(document)


class _JsonObject(list):
    """A JSON object as its (key, value) pairs, in order, repeated keys kept."""


def _json_items(pairs: _JsonObject) -> list[Item]:
    items = []
    for key, value in pairs:
        token = Token("STRING", json.dumps(key), 0, 0)
        if isinstance(value, _JsonObject) and value and all(isinstance(v, _JsonObject) for _, v in value):
            # nested objects flatten into labelled blocks, as the library's JSON parser does
            for label, body in value:
                items.append(Item([token, Token("STRING", json.dumps(label), 0, 0)], _json_node(body)))
        else:
            items.append(Item([token], _json_node(value), (0, 0)))
    return items


def _json_node(value: Any) -> Node:
    if isinstance(value, _JsonObject):
        return ObjectNode(_json_items(value), 0, 0)
    if isinstance(value, list):
        return ListNode([_json_node(v) for v in value], 0, 0)
    if isinstance(value, bool):
        return Literal(Token("BOOL", "true" if value else "false", 0, 0))
    if isinstance(value, int):
        return Literal(Token("NUMBER", str(value), 0, 0))
    if isinstance(value, float):
        return Literal(Token("FLOAT", repr(value), 0, 0))
    if value is None:
        return Literal(Token("STRING", '""', 0, 0))
    return Literal(Token("STRING", json.dumps(value), 0, 0))
