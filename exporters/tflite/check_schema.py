#!/usr/bin/env python3
"""Cross-checks schema.fbs (next to this file) against the official generated
Python schema shipped in ai_edge_litert: enum values, BuiltinOptions union
positions and table field ids (from the vtable offsets the official accessors
read).

Usage: python check_schema.py    (exit status 1 on any mismatch)

Enum values the installed runtime does not know yet (newer than it) are
reported but are not errors.
"""
import inspect
import os
import re
import sys

import ai_edge_litert.schema_py_generated as official

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'schema.fbs')
UNION_TYPES = ('BuiltinOptions', 'QuantizationDetails')


def camel(name):
    return ''.join(part[:1].upper() + part[1:] for part in name.split('_'))


def items(body):
    return [x.strip() for x in body.split(',') if x.strip()]


def main():
    text = re.sub(r'//[^\n]*', '', open(SCHEMA).read())
    errors, newer = [], []

    for m in re.finditer(r'enum (\w+)\s*:\s*\w+\s*\{([^}]*)\}', text):
        name, body = m.groups()
        cls = getattr(official, name, None)
        if cls is None:
            errors.append(f'enum {name}: not in the official schema')
            continue
        for position, item in enumerate(items(body)):
            key, _, value = item.partition('=')
            key, value = key.strip(), int(value) if value.strip() else position
            got = getattr(cls, key, None)
            if got is None:
                newer.append(f'{name}.{key} = {value}')
            elif got != value:
                errors.append(f'enum {name}.{key}: {value}, official {got}')

    for m in re.finditer(r'union (\w+)\s*\{([^}]*)\}', text):
        name, body = m.groups()
        cls = getattr(official, name)
        for position, member in enumerate(items(body), start=1):
            if getattr(cls, member, None) != position:
                errors.append(f'union {name}.{member}: {position}, '
                              f'official {getattr(cls, member, None)}')

    tables = fields = 0
    for m in re.finditer(r'table (\w+)\s*\{([^}]*)\}', text):
        name, body = m.groups()
        cls = getattr(official, name, None)
        if cls is None:
            errors.append(f'table {name}: not in the official schema')
            continue
        tables += 1
        field_id = 0
        for decl in [d.strip() for d in body.split(';') if d.strip()]:
            field, _, ftype = decl.partition(':')
            field = field.strip()
            is_union = ftype.split()[0] in UNION_TYPES
            if '(deprecated)' not in decl:
                accessor = getattr(cls, camel(field), None)
                if accessor is None:
                    errors.append(f'{name}.{field}: no official accessor')
                else:
                    offset = int(re.search(r'Offset\((\d+)\)', inspect.getsource(accessor))[1])
                    # A union field occupies two ids: its type tag, then the value.
                    want = 4 + 2 * (field_id + (1 if is_union else 0))
                    if offset != want:
                        errors.append(f'{name}.{field}: vtable offset {want}, official {offset}')
                    fields += 1
            field_id += 2 if is_union else 1

    for line in newer:
        print('newer than the installed runtime:', line)
    for line in errors:
        print('ERROR', line)
    print(f'checked {tables} tables, {fields} fields; {len(errors)} errors')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
