/**
 * os-release gives CentOS Linux and CentOS Stream the same ID (`centos`), yet they are two
 * products with different lives: CentOS Linux 8 ended on 2021-12-31, CentOS Stream 8 on
 * 2024-05-31. Only the name tells them apart (NAME="CentOS Stream", PRETTY_NAME="CentOS Stream 8").
 */

/** What os-release says about a host; `name` is NAME or PRETTY_NAME, whichever is known. */
export interface OsIdentity {
  readonly id: string;
  readonly versionId?: string | null | undefined;
  readonly name?: string | null | undefined;
}

/**
 * The os-release ID, except `centos-stream` for CentOS Stream: a `centos` host whose name says
 * "Stream", or whose major version is 9 or later (CentOS Linux ended with 8, so a later `centos`
 * can only be Stream). A `centos` 8 host that reports no name is taken as CentOS Linux, which is
 * what its ID alone has always meant.
 */
export function productOsId(os: OsIdentity): string {
  const id = os.id.trim().toLowerCase();
  if (id !== 'centos') return id;
  if (/\bstream\b/i.test(os.name ?? '')) return 'centos-stream';
  const major = Number(/^(\d+)/.exec(os.versionId?.trim() ?? '')?.[1]);
  return major >= 9 ? 'centos-stream' : id;
}
