// Field paths as the API server prints them: `spec.template.spec.containers[0].image`,
// map keys that are not plain identifiers in brackets: `metadata.labels[app.kubernetes.io/name]`.

export type Path = (string | number)[];

export function formatPath(path: Path): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${seg}]`;
  }
  return s;
}

/** The value at a path, or undefined. */
export function getIn(obj: unknown, path: Path): unknown {
  let cur: any = obj;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[seg as any];
  }
  return cur;
}

/** Splits an ajv instancePath (`/spec/template/spec/containers/0`) against the data. */
export function fromPointer(pointer: string, data: unknown): Path {
  if (!pointer) return [];
  const out: Path = [];
  let cur: any = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur?.[seg];
    }
  }
  return out;
}
