import test from 'ava';
import { dbusErrorName } from '../../src/errors';

test('dbus error names are PascalCase', (t) => {
  t.is(dbusErrorName('waiting-for-target'), 'WaitingForTarget');
});
