/** The OTLP names drift arrives under (docs/telemetry.md). */
export const DRIFT_METRIC = 'outpost.drift.feature';
export const DRIFT_FEATURE_ATTRIBUTE = 'outpost.drift.feature';
