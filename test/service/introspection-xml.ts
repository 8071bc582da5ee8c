// SPDX-License-Identifier: LGPL-2.1-or-later
// A small reader for D-Bus introspection XML (our own, well-formed files and dbus-next's output):
// each interface as comparable, order-independent descriptions of its members.

export interface InterfaceDescription {
  methods: Record<string, string[]>;
  properties: Record<string, string>;
  signals: Record<string, string[]>;
}

function attributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(/([\w-]+)="([^"]*)"/g)) attrs[m[1]] = m[2];
  return attrs;
}

/** Interface name to description. Arguments read `direction name type` in order. */
export function parseIntrospection(xml: string): Record<string, InterfaceDescription> {
  const result: Record<string, InterfaceDescription> = {};
  const text = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE[^>]*>/, '');
  let iface: InterfaceDescription | null = null;
  let member: string[] | null = null;
  for (const m of text.matchAll(/<(\/?)(\w+)([^>]*?)(\/?)>/g)) {
    const [, closing, tag, rest, selfClosing] = m;
    const attrs = attributes(rest);
    if (closing) {
      if (tag === 'interface') iface = null;
      if (tag === 'method' || tag === 'signal') member = null;
      continue;
    }
    if (tag === 'interface') {
      iface = { methods: {}, properties: {}, signals: {} };
      result[attrs.name] = iface;
    } else if (iface !== null && (tag === 'method' || tag === 'signal')) {
      const args: string[] = [];
      (tag === 'method' ? iface.methods : iface.signals)[attrs.name] = args;
      member = selfClosing ? null : args;
    } else if (iface !== null && tag === 'property') {
      iface.properties[attrs.name] = `${attrs.type} ${attrs.access}`;
    } else if (member !== null && tag === 'arg') {
      member.push(`${attrs.direction ?? 'in'} ${attrs.name ?? ''} ${attrs.type}`);
    }
  }
  return result;
}
