// Turns the control plane's OpenAPI 3 document into TypeScript types for the console: one interface per schema and
// an `Operations` map keyed by "METHOD /path" (path params, query, body, response). Small on purpose: it covers the
// subset @nestjs/swagger emits, and an unknown construct becomes `unknown` rather than a wrong type.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function refName(ref) {
  return ref.split('/').pop();
}

function quoteKey(k) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k);
}

function tsType(schema, indent = '') {
  if (!schema) return 'unknown';
  let t;
  if (schema.$ref) t = refName(schema.$ref);
  else if (schema.allOf) t = schema.allOf.map((s) => tsType(s, indent)).join(' & ');
  else if (schema.oneOf || schema.anyOf) t = (schema.oneOf || schema.anyOf).map((s) => tsType(s, indent)).join(' | ');
  else if (schema.enum) t = schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  else if (schema.type === 'array') t = `Array<${tsType(schema.items, indent)}>`;
  else if (schema.type === 'string') t = 'string';
  else if (schema.type === 'integer' || schema.type === 'number') t = 'number';
  else if (schema.type === 'boolean') t = 'boolean';
  else if (schema.type === 'object' || schema.properties || schema.additionalProperties) t = objectType(schema, indent);
  else t = 'unknown';
  return schema.nullable ? `${t.includes(' ') && !t.startsWith('{') ? `(${t})` : t} | null` : t;
}

function objectType(schema, indent) {
  const props = schema.properties || {};
  const required = new Set(schema.required || []);
  const inner = indent + '  ';
  const lines = Object.entries(props).map(([k, s]) => {
    const doc = s.description ? `${inner}/** ${s.description.replace(/\*\//g, '*\\/').replace(/\n+/g, ' ')} */\n` : '';
    return `${doc}${inner}${quoteKey(k)}${required.has(k) ? '' : '?'}: ${tsType(s, inner)};`;
  });
  const ap = schema.additionalProperties;
  if (ap) lines.push(`${inner}[key: string]: ${ap === true ? 'unknown' : tsType(ap, inner)};`);
  if (!lines.length) return 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function paramsOf(op, where) {
  const ps = (op.parameters || []).filter((p) => p.in === where);
  if (!ps.length) return 'never';
  return `{ ${ps.map((p) => `${quoteKey(p.name)}${p.required ? '' : '?'}: ${tsType(p.schema)}`).join('; ')} }`;
}

function jsonContent(content) {
  return content?.['application/json']?.schema;
}

function responseOf(op) {
  const ok = Object.keys(op.responses || {}).filter((c) => /^2/.test(c)).sort()[0];
  if (!ok) return 'void';
  const schema = jsonContent(op.responses[ok].content);
  return schema ? tsType(schema, '    ') : 'void';
}

export function generateTypes(doc) {
  const out = [
    '// Generated from apps/admin/openapi.json by `npm run openapi:generate`; do not edit by hand.',
    '/* eslint-disable */',
    '',
  ];
  for (const [name, schema] of Object.entries(doc.components?.schemas || {})) {
    if (schema.description) out.push(`/** ${schema.description.replace(/\n+/g, ' ')} */`);
    const t = tsType(schema);
    out.push(t.startsWith('{') ? `export interface ${name} ${t}` : `export type ${name} = ${t};`, '');
  }
  out.push('/** Every REST operation: "METHOD /path" → its path params, query, body and success response. */');
  out.push('export interface Operations {');
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const body = jsonContent(op.requestBody?.content);
      if (op.summary) out.push(`  /** ${op.summary} */`);
      out.push(`  ${JSON.stringify(`${method.toUpperCase()} ${path}`)}: {`);
      out.push(`    params: ${paramsOf(op, 'path')};`);
      out.push(`    query: ${paramsOf(op, 'query')};`);
      out.push(`    body: ${body ? tsType(body, '    ') : 'never'};`);
      out.push(`    response: ${responseOf(op)};`);
      out.push('  };');
    }
  }
  out.push('}', '');
  return out.join('\n');
}
