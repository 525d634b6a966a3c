/** The measures' public surface: generic statistics and report tables (and, from path-recorder, the cluster's path measures). */
export {
  LatencyHistogram, bucketIndex,
  type LatencyHistogramOptions, type LatencyHistogramJson, type HistogramBucket,
} from './latency-histogram';
export {
  mean, stddev, coefficientOfVariation, ratio, percentile, percentileRank,
  increment, mergeCounters, counterTotal, counterEntries, counterToRecord, type Counter,
} from './summary';
export {
  toMarkdown, toCsv, toJson, toText, formatCell, columnTitle,
  type Table, type Column, type ColumnFormat, type Cell, type CsvOptions,
} from './report';
// path-recorder exports (cluster path measures: bypass ratios, first/second-LAN load) go here.
