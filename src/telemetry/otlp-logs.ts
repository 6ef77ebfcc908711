/**
 * OTLP/HTTP JSON encoding of sampled inputs as logs (`POST {endpoint}/v1/logs`): one
 * log record per sampled run, records grouped into requests that stay under the
 * keepalive budget (a record larger than that goes alone, sent without keepalive).
 *
 * A record's body is a kvlist, one entry per input name, each a kvlist of `type`
 * (string), `dims` (array of int) and `data` (bytes: the tensor's elements,
 * little-endian, as its typed array holds them), so a decoder gets the exact values.
 */
import type { InputSample, SampledTensor } from './input-samples.js';
import { ATTRIBUTES, INPUT_SAMPLE_EVENT, SDK_NAME, SDK_VERSION } from './names.js';
import { keyValues, MAX_REQUEST_BYTES, unixNanos, type AttributeValue } from './otlp.js';

/** OTLP SeverityNumber INFO. */
const SEVERITY_INFO = 9;

/** Base64 without Node's Buffer, in slices so no argument list grows with the tensor. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function tensorValue(tensor: SampledTensor): unknown {
  return {
    kvlistValue: {
      values: [
        { key: 'type', value: { stringValue: tensor.type } },
        { key: 'dims', value: { arrayValue: { values: tensor.dims.map((dim) => ({ intValue: String(dim) })) } } },
        { key: 'data', value: { bytesValue: base64(tensor.bytes) } },
      ],
    },
  };
}

/**
 * One OTLP LogRecord for one sampled run.
 *
 * @example
 * ```ts
 * logRecord({ time: Date.now(), model: 'vad', version: '1.0.0', backend: 'wasm', inputs: {} });
 * ```
 */
export function logRecord(sample: InputSample): unknown {
  const time = unixNanos(sample.time);
  return {
    timeUnixNano: time,
    observedTimeUnixNano: time,
    severityNumber: SEVERITY_INFO,
    severityText: 'INFO',
    attributes: keyValues({
      [ATTRIBUTES.eventName]: INPUT_SAMPLE_EVENT,
      [ATTRIBUTES.model]: sample.model,
      [ATTRIBUTES.version]: sample.version,
      [ATTRIBUTES.backend]: sample.backend,
    }),
    body: { kvlistValue: { values: Object.keys(sample.inputs).sort().map((name) => ({ key: name, value: tensorValue(sample.inputs[name] as SampledTensor) })) } },
  };
}

function logsRequest(records: readonly string[], resource: Record<string, AttributeValue>): string {
  const envelope = JSON.stringify({
    resourceLogs: [{ resource: { attributes: keyValues(resource) }, scopeLogs: [{ scope: { name: SDK_NAME, version: SDK_VERSION }, logRecords: ['\u0000'] }] }],
  });
  // Records are encoded once; the envelope takes them as they are. The placeholder is
  // the last value in the envelope, so a resource attribute holding it cannot match.
  const at = envelope.lastIndexOf('"\\u0000"');
  return `${envelope.slice(0, at)}${records.join(',')}${envelope.slice(at + 8)}`;
}

/**
 * ExportLogsServiceRequest bodies (OTLP JSON) for `samples`, each at most `maxBytes`
 * unless one record alone is larger. No samples, no request.
 *
 * @example
 * ```ts
 * for (const body of encodeInputSamples(window.samples ?? [], resource)) await send('/v1/logs', body);
 * ```
 */
export function encodeInputSamples(samples: readonly InputSample[], resource: Record<string, AttributeValue>, maxBytes = MAX_REQUEST_BYTES): string[] {
  if (samples.length === 0) return [];
  const encoder = new TextEncoder();
  const overhead = encoder.encode(logsRequest([], resource)).byteLength;
  const bodies: string[] = [];
  let group: string[] = [];
  let groupBytes = overhead;
  for (const sample of samples) {
    const record = JSON.stringify(logRecord(sample));
    const bytes = encoder.encode(record).byteLength + 1;
    if (group.length > 0 && groupBytes + bytes > maxBytes) {
      bodies.push(logsRequest(group, resource));
      group = [];
      groupBytes = overhead;
    }
    group.push(record);
    groupBytes += bytes;
  }
  if (group.length > 0) bodies.push(logsRequest(group, resource));
  return bodies;
}
