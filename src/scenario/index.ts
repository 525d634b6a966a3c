/** The scenario layer's public surface: the format, the loader, the builder, the runner and reports. */
export {
  scenarioSchema, siteSchema, graphSchema, scenarioJsonSchema, DESIGNS, LAN_ROLES, NODE_KINDS,
  type Design, type LanRole, type ScenarioInput, type ScenarioSpec, type Site, type SiteInput, type Graph, type GraphInput,
  type GraphNode, type GraphLink, type ClusterSpec, type Workload, type FaultSpec, type TcpSpec,
} from './schema';
export { loadScenario, loadScenarioValue, withDesign, applySet, workloadNodes, type Scenario, type LoadOptions, type LoadResult } from './load';
export { ScenarioError, formatProblem, formatPath, didYouMean, type ScenarioProblem, type JsonPath } from './errors';
export { expandSite } from './expand';
export { planNetwork, type NetworkPlan } from './plan';
export { buildSimulation, tcpOptions, type Simulation, type BuildOptions, type LinkDevices } from './build';
export { runScenario, runSimulation, type RunOptions, type RunResult, type RunProgress, type StopReason } from './runner';
export { estimate, summarize, pairedDifference, type Estimate, type Summary } from './replications';
export {
  summaryTable, differenceTable, renderSummary, metricsCsv, reportJson, reportMarkdown, metricsOf, SHORT_LABELS,
  type Report, type ReportGroup,
} from './report';
export { scenarioHash, canonicalJson } from './hash';
export { siteScenario, ns3ClusterScenario, tcpWorkloadScenario, deepMerge, mustLoad, NS3_CLUSTER_DEFAULTS, type Ns3ClusterFlags } from './presets';
export { parseCsvTrace, parsePcapTrace, TraceError, type TraceRow } from './trace';
export { formatDuration, formatRate, formatSize } from './units';
