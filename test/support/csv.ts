/**
 * CSV rows (quoted fields with doubled quotes, CR or LF inside quotes, LF line ends), as llmp's usage export and
 * `llmp usage --csv` write them. Not the console's `parseCsv` (apps/admin/src/ui/src/lib/csv.ts): that module also
 * holds browser code (`document`), which the root tsconfig (no DOM lib) cannot typecheck; it also takes a bare CR as a
 * line end, where this one keeps it in the field so a CR the export failed to quote shows up in the cell.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}
