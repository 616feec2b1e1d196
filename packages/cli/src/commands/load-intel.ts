import {
  Enrichment,
  PatchwiseError,
  parseEpss,
  parseKev,
  parseNvd,
  readInputs,
  cveLookupOf,
  type CveLookup,
} from '@patchwise/core/assessment';

export interface IntelSources {
  readonly kev?: string | undefined;
  readonly epss?: string | undefined;
  readonly nvd: readonly string[];
}

/**
 * Reads the enrichment feeds named on the command line into one lookup by CVE. These are
 * inputs the user asked for by name, so an unreadable one is a hard error (exit 2), not a skip:
 * a scan silently without KEV would under-rank exactly the findings that matter most.
 */
export async function loadIntel(sources: IntelSources): Promise<CveLookup> {
  const enrichment = new Enrichment();
  if (sources.kev) for (const doc of await readAll([sources.kev])) enrichment.addKev(parseKev(doc.text, doc.name));
  if (sources.epss) for (const doc of await readAll([sources.epss])) enrichment.addEpss(parseEpss(doc.text, doc.name));
  if (sources.nvd.length > 0) {
    for (const doc of await readAll(sources.nvd)) {
      if (doc.name !== doc.root && !/\.json$/i.test(doc.name)) continue;
      enrichment.addNvd(parseNvd(doc.text, doc.name));
    }
  }
  return cveLookupOf(enrichment);
}

async function readAll(paths: readonly string[]): Promise<{ name: string; root: string; text: string }[]> {
  const docs = [];
  for await (const item of readInputs(paths)) {
    if (item.kind === 'problem') throw item.error;
    docs.push(item);
  }
  if (docs.length === 0) throw new PatchwiseError('PW_INPUT_UNREADABLE', 'no files found', { input: paths.join(', ') });
  return docs;
}
