import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite, GET_TABLE, DESCRIBE } from '../../src/printers/tabwriter';
import { cellText, layoutRows } from '../../src/printers/table-layout';

test('get table: minwidth 6, padding 3, last cell unpadded', () => {
  const text =
    'NAME\tREADY\tSTATUS\tRESTARTS\tAGE\n' +
    'badimg\t0/1\tImagePullBackOff\t0\t4m9s\n' +
    'crash\t0/1\tCrashLoopBackOff\t5 (2m4s ago)\t7m29s\n' +
    'web-7c5ddbdf54-abcde\t1/1\tRunning\t0\t15m\n';
  assert.equal(
    tabwrite(text, GET_TABLE),
    'NAME                   READY   STATUS             RESTARTS       AGE\n' +
      'badimg                 0/1     ImagePullBackOff   0              4m9s\n' +
      'crash                  0/1     CrashLoopBackOff   5 (2m4s ago)   7m29s\n' +
      'web-7c5ddbdf54-abcde   1/1     Running            0              15m\n',
  );
});

test('narrow columns are still 6 wide; trailing padding kept before an empty last cell', () => {
  assert.equal(tabwrite('a\tb\t\n', GET_TABLE), 'a     b     \n');
});

test('describe: blocks are aligned independently; a line without TAB ends a block', () => {
  const text =
    'Name:\tweb\n' +
    'Service Account:\tdefault\n' +
    'IPs:\n' +
    '  IP:\t10.244.1.5\n' +
    'Controlled By:\tReplicaSet/web\n' +
    'Containers:\n' +
    '  nginx:\n' +
    '    Container ID:\tcontainerd://1234\n' +
    '    Restart Count:\t0\n';
  assert.equal(
    tabwrite(text, DESCRIBE),
    'Name:             web\n' +
      'Service Account:  default\n' +
      'IPs:\n' +
      '  IP:           10.244.1.5\n' +
      'Controlled By:  ReplicaSet/web\n' +
      'Containers:\n' +
      '  nginx:\n' +
      '    Container ID:   containerd://1234\n' +
      '    Restart Count:  0\n',
  );
});

test('nested blocks: second column block is shorter than the first', () => {
  // Lines 1-3 share column 0; only lines 1-2 have a column 1.
  const text = 'a\tbb\tc\nccc\td\te\nx\ty\n';
  assert.equal(tabwrite(text, DESCRIBE), 'a    bb  c\nccc  d   e\nx    y\n');
});

test('width counts code points, not UTF-16 units', () => {
  assert.equal(tabwrite('😀\tx\nab\ty\n', DESCRIBE), '😀   x\nab  y\n');
});

test('text without trailing newline keeps its last line unterminated', () => {
  assert.equal(tabwrite('a\tb\nccc\td', DESCRIBE), 'a    b\nccc  d');
});

test('widths count code points: an astral character is one, as Go counts runes', () => {
  assert.equal(tabwrite('😀😀\tx\nab\ty\n', DESCRIBE), '😀😀  x\nab  y\n');
  assert.equal(tabwrite('éé\tx\nab\ty\n', DESCRIBE), 'éé  x\nab  y\n');
});

test('layoutRows of cells prints what the tabwriter prints of the joined text (cells with TABs split again)', () => {
  const pick = <T>(xs: T[], i: number) => xs[i % xs.length];
  const cellsPool = ['', 'a', 'web-7c5ddbdf54-abcde', '😀x', 'Running', 'a\tb', '0/1', 'line\nnext', 'ü'];
  for (let seed = 1; seed < 200; seed++) {
    const rows: string[][] = [];
    for (let r = 0; r < 1 + (seed % 7); r++) rows.push(Array.from({ length: 1 + ((seed * (r + 3)) % 5) }, (_, c) => pick(cellsPool, seed * 31 + r * 7 + c * 13)));
    const text = rows.map((r) => r.map(cellText).join('\t')).join('\n') + '\n';
    assert.equal(layoutRows(rows), tabwrite(text, GET_TABLE), JSON.stringify(rows));
  }
  // Lines of one length (every get table): laid out from the running widths, not by the tabwriter.
  for (let seed = 1; seed < 200; seed++) {
    const width = 1 + (seed % 6);
    const rows: string[][] = [];
    for (let r = 0; r < 1 + (seed % 9); r++) rows.push(Array.from({ length: width }, (_, c) => pick(cellsPool, seed * 17 + r * 5 + c * 11)));
    const text = rows.map((r) => r.map(cellText).join('\t')).join('\n') + '\n';
    assert.equal(layoutRows(rows), tabwrite(text, GET_TABLE), JSON.stringify(rows));
  }
});

test('get tables remember column widths across blocks (kubectl\'s RememberWidths); describe does not', () => {
  // A multi-line cell ends the block; the rows after it keep the widths seen before, as
  // `kubectl get cm -o custom-columns=NAME:.metadata.name,DATA:.data` prints a certificate.
  const text = 'NAME\tDATA\nkube-root-ca.crt\tmap[ca.crt:-----BEGIN\n-----END-----\n]\nsettings\tmap[mode:fast]\n';
  assert.equal(
    tabwrite(text, GET_TABLE),
    'NAME               DATA\nkube-root-ca.crt   map[ca.crt:-----BEGIN\n-----END-----\n]\nsettings           map[mode:fast]\n',
  );
  assert.equal(tabwrite('long-name\tx\nbreak\nab\ty\n', DESCRIBE), 'long-name  x\nbreak\nab  y\n');
  // a column first seen in a deeper block takes the widths to its left (the fork's maxwidths)
  assert.equal(tabwrite('a\tb\nx\nlonger\tc\td\n', GET_TABLE), 'a     b\nx\nlonger   c     d\n');
});
