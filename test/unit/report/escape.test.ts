import assert from 'node:assert/strict';
import fc from 'fast-check';
import { displayWidth, escapeControls, terminalSafe, valueText } from '../../../src/core/report';
import { RAW_CONTROL } from './helpers';

describe('report/escape', () => {
  it('shows ESC, BEL, CR, LF and TAB as visible \\u{..} sequences', () => {
    assert.equal(escapeControls('a\u001b[31mb\u0007c\r\nd\te'), 'a\\u{1b}[31mb\\u{7}c\\u{d}\\u{a}d\\u{9}e');
  });

  it('escapes C1 controls, DEL and the bidi overrides and isolates', () => {
    const hostile = '\u009b31m\u007f\u202aA\u202bB\u202cC\u202dD\u202eE\u2066F\u2067G\u2068H\u2069';
    assert.equal(
      escapeControls(hostile),
      '\\u{9b}31m\\u{7f}\\u{202a}A\\u{202b}B\\u{202c}C\\u{202d}D\\u{202e}E\\u{2066}F\\u{2067}G\\u{2068}H\\u{2069}',
    );
  });

  it('keeps ordinary non-ASCII text, including astral characters, as it is', () => {
    assert.equal(escapeControls('café 日本 😀 Ω'), 'café 日本 😀 Ω');
  });

  it('escapes a lone surrogate instead of passing it on', () => {
    assert.equal(escapeControls('x\ud800y'), 'x\\u{d800}y');
  });

  it('cuts long values to the width with an ellipsis, never inside an escape or a surrogate pair', () => {
    assert.equal(terminalSafe('abcdefghij', 5), 'abcd…');
    assert.equal(terminalSafe('abcde', 5), 'abcde');
    assert.equal(terminalSafe('ab\u001bcdef', 6), 'ab…'); // `\u{1b}` would not fit whole
    assert.equal(terminalSafe('😀😀😀😀', 5), '😀😀…');
    assert.equal(displayWidth(terminalSafe('日本語のテキスト', 7)), 7);
  });

  it('never lets a control character through and never exceeds the width (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.integer({ min: 1, max: 40 }), (s, width) => {
        const out = terminalSafe(s, width);
        assert.ok(!RAW_CONTROL.test(out), JSON.stringify(out));
        assert.ok(displayWidth(out) <= width, `${JSON.stringify(out)} is wider than ${width}`);
        if (displayWidth(escapeControls(s)) <= width) assert.equal(out, escapeControls(s));
      }),
      { numRuns: 300 },
    );
  });

  it('renders arrays and objects on one line', () => {
    assert.equal(valueText(['a', 'b', 3]), 'a, b, 3');
    assert.equal(valueText({ k: 'v' }), '{"k":"v"}');
    assert.equal(valueText(undefined), '');
    assert.equal(valueText(false), 'false');
  });
});
