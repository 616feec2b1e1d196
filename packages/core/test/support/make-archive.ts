import { execFileSync } from 'node:child_process';

/** One archive member for test archives; `link` makes a symbolic link instead of a file. */
export interface Member {
  readonly name: string;
  readonly data?: string;
  readonly link?: string;
}

// Python's tarfile and zipfile write any member name we ask for (including hostile ones),
// which is exactly what these tests need; the script is fixed and the members go in as JSON.
const SCRIPT = String.raw`
import json, sys, tarfile, zipfile, io
kind, path = sys.argv[1], sys.argv[2]
members = json.load(sys.stdin)
if kind == 'zip':
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for m in members:
            info = zipfile.ZipInfo(m['name'])
            if 'link' in m:
                info.external_attr = (0o120777 << 16)
                z.writestr(info, m['link'])
            else:
                info.external_attr = (0o100644 << 16)
                z.writestr(info, m.get('data', ''), zipfile.ZIP_DEFLATED)
else:
    mode = 'w:gz' if kind == 'tar.gz' else 'w'
    with tarfile.open(path, mode, format=tarfile.GNU_FORMAT) as t:
        for m in members:
            info = tarfile.TarInfo(m['name'])
            if 'link' in m:
                info.type = tarfile.SYMTYPE
                info.linkname = m['link']
                t.addfile(info)
            else:
                data = m.get('data', '').encode()
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
`;

/** Writes a .zip, .tar or .tar.gz with exactly these members (names not sanitised: tests need hostile ones). */
export function makeArchive(kind: 'zip' | 'tar' | 'tar.gz', path: string, members: readonly Member[]): void {
  execFileSync('/usr/bin/python3', ['-c', SCRIPT, kind, path], { input: JSON.stringify(members) });
}
