#!/usr/bin/env python3
# tests/doccheck.py - every function of the tree (sources and unit tests)
# has a kernel-doc comment naming each of its parameters (@name:) and, if
# it returns a value, "Return:"; every struct defined at the top level has
# a comment naming each of its members. A heuristic reader of C
# definitions (a line ending in ')' and a '{' on the next line, a
# "struct x {" line, as clang-format writes them), not a parser: it prints
# what it finds missing and exits 1.
import re
import subprocess
import sys

DEF = re.compile(r'^((?:[A-Za-z_][\w ]*[\w\*]\s*\**)\s*)\b(\w+)\(([^;{]*?)\)\s*\n\{',
                 re.M | re.S)


def params(text):
    """The parameter names of a parameter list."""
    out = []
    if text.strip() in ('void', ''):
        return out
    for p in text.split(','):
        p = p.strip()
        if p == '...':
            continue
        m = re.search(r'\(\s*\*\s*(\w+)\)', p) if '(*' in p else \
            re.search(r'(\w+)\s*(\[[^\]]*\])?\s*$', p)
        if m:
            out.append(m.group(1))
    return out


def comment_before(text, start, name):
    """The /** comment before a definition (or before its prototype)."""
    pre = text[:start].rstrip()
    # a prototype with attributes right before the definition
    proto = re.search(r'\n(?! \*)[^\n]*\b' + name +
                      r'\([^;{]*\)\s*__attribute__\(\([^;]*\)\);$', pre)
    if proto:
        pre = pre[:proto.start()].rstrip()
    if not pre.endswith('*/'):
        return None
    return pre[pre.rfind('/**'):]


STRUCT = re.compile(r'\nstruct (\w+) \{\n(.*?)\n\};', re.S)


def members(body):
    """The member names of a struct body, nested blocks left out."""
    out, depth = [], 0
    for line in body.split('\n'):
        s = line.strip()
        if depth == 0 and s and not s.startswith(('/*', '*', '#')):
            if '(*' in s:
                m = re.search(r'\(\s*\*\s*(\w+)\)', s)
            elif '(' not in s:
                m = re.search(r'(\w+)\s*(\[[^\]]*\])*\s*(:\s*\d+)?;', s)
            else:
                m = None
            if m:
                out.append(m.group(1))
        depth += s.count('{') - s.count('}')
    return out


def check_structs(f, text, bad):
    """Report the structs of @text whose comment misses a member."""
    n = 0
    for m in STRUCT.finditer(text):
        n += 1
        pre = text[:m.start() + 1].rstrip()
        if not pre.endswith('*/'):
            bad.append('%s: struct %s: no comment' % (f, m.group(1)))
            continue
        c = pre[pre.rfind('/*'):]
        miss = [x for x in members(m.group(2))
                if not re.search('@' + x + r'\s*:', c)]
        if miss:
            bad.append('%s: struct %s: no @%s' % (f, m.group(1),
                                                  ', @'.join(miss)))
    return n


def main():
    files = subprocess.check_output(['git', 'ls-files', '*.c', '*.h'],
                                    text=True).split()
    files = [f for f in files if not f.startswith('tests/')
             or f.startswith('tests/unit/')]
    total, structs, bad = 0, 0, []
    for f in files:
        text = open(f, encoding='utf-8').read()
        structs += check_structs(f, text, bad)
        for m in DEF.finditer(text):
            ret, name = m.group(1), m.group(2)
            if name in ('if', 'while', 'for', 'switch', 'main') or \
                    name.startswith('__'):
                continue
            total += 1
            c = comment_before(text, m.start(), name)
            if c is None:
                bad.append('%s: %s(): no comment' % (f, name))
                continue
            miss = [p for p in params(m.group(3))
                    if not re.search('@' + p + r'\s*:', c)]
            void = re.search(r'\bvoid\s*$', ret.strip()) and '*' not in ret
            if not void and 'Return' not in c:
                miss.append('Return:')
            if miss:
                bad.append('%s: %s(): no %s' % (f, name, ', '.join(miss)))
    for b in bad:
        print(b)
    print('doccheck: %d functions and %d structs, %d without every '
          'parameter, return value or member documented'
          % (total, structs, len(bad)))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
