/**
 * pstm: Kirchhoff prestack time migration as a library.
 *
 * The streams compose: a SEG-Y file (or stdin) becomes batches of traces,
 * FiniteCheckStream keeps NaN/Inf samples out, PreprocessStream applies the
 * rho filter and antialiasing integration, BinGeometryStream attaches
 * midpoints, offset classes and aperture footprints, MigrateTileStream has a
 * backend accumulate them into output tiles and emits each tile once its
 * last contributing trace has passed, and TileWriter writes finished tiles
 * straight to their place in the output. `runMigration` does all of it
 * (scan, plan, passes, resume, shards) for a job.
 *
 * Your own TransformStreams of TraceBatch (a mute, a scaling) go between
 * reading and migration through `hooks.stages`: a factory called once per
 * pass over the input that returns new stream instances each time (a reused
 * instance is refused with a PstmError; a stage that drops or reorders
 * traces fails the job instead of leaving empty bins).
 *
 * @example Migrate a file
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig, Progress, runMigration, synthPreset, writeSynthetic } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSynthetic(synthPreset("small3d"), `${dir}/in.sgy`, undefined);
 * const job = parseJobConfig({
 *   input: `${dir}/in.sgy`, output: `${dir}/out.sgy`, velocity: "0:2000,0.6:2400",
 *   grid: "1000,2000,25,25,13,11,0", aperture: 300, backend: "reference",
 * });
 * const summary = await runMigration(job, new Progress("quiet"));
 * assert(summary.complete && summary.contributions > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @example Read -> your mute -> migrate -> write
 * ```ts
 * import assert from "node:assert";
 * import {
 *   parseJobConfig, Progress, runMigration, SegyFile, synthPreset, type TraceBatch, writeSynthetic,
 * } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSynthetic(synthPreset("small3d"), `${dir}/in.sgy`, undefined);
 * // a linear top mute: zero every sample earlier than |offset| / 1500 m/s
 * const mute = () =>
 *   new TransformStream<TraceBatch, TraceBatch>({
 *     transform(batch, controller) {
 *       for (let k = 0; k < batch.count; k++) {
 *         const offset = Math.hypot(batch.gx[k] - batch.sx[k], batch.gy[k] - batch.sy[k]);
 *         const end = Math.ceil((offset / 1500 - batch.t0) / batch.dt);
 *         batch.samples.fill(0, k * batch.ns, k * batch.ns + Math.min(batch.ns, Math.max(0, end)));
 *       }
 *       controller.enqueue(batch);
 *     },
 *   });
 * const job = parseJobConfig({
 *   input: `${dir}/in.sgy`, output: `${dir}/muted.sgy`, velocity: "0:2000,0.6:2400",
 *   grid: "1000,2000,25,25,13,11,0", aperture: 300, backend: "reference",
 *   memory: "300KiB", tileBins: [4, 4], batchSize: 32, // several passes over the input
 * });
 * let built = 0;
 * const stages = () => (built++, mute()); // a new stage for every pass
 * const summary = await runMigration(job, new Progress("quiet"), { stages });
 * assert(summary.complete && summary.passes > 1);
 * assert.equal(built, summary.passes);
 * using image = await SegyFile.open(`${dir}/muted.sgy`);
 * assert.equal(image.info.traceCount, 13 * 11);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

// errors
export { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUNTIME, PstmError } from "./core/errors.ts";
export type { ErrorLocation } from "./core/errors.ts";

// SEG-Y input and output
export type { TraceBatch } from "./pipeline/segy/trace_batch.ts";
export { SegyFile } from "./pipeline/segy/segy_file.ts";
export { BatchPool } from "./pipeline/segy/batch_pool.ts";
export { SegyTraceStream } from "./pipeline/segy/segy_trace_stream.ts";
export { SegyWriter, type SegyWriterOptions } from "./pipeline/segy/segy_writer.ts";
export { SegyWritableStream } from "./pipeline/segy/segy_writable_stream.ts";
export type { SegyInfo, SegyKind } from "./pipeline/segy/segy_info.ts";
export {
  describeUnits,
  fromMetres,
  type LengthUnit,
  METRES_PER_FOOT,
  type SurveyUnits,
  surveyUnits,
  type VelocityUnit,
} from "./pipeline/segy/units.ts";
export type { TextEncoding } from "./pipeline/segy/text_header.ts";
export type { SegyStreamOptions } from "./pipeline/segy/segy_file.ts";
export {
  DEFAULT_HEADER_MAP,
  type HeaderField,
  type HeaderMap,
  headerMapWith,
  type HeaderScale,
  type HeaderType,
  parseHeaderOverride,
} from "./pipeline/segy/header_map.ts";
export {
  type Extent,
  formatScanSummary,
  type ScanOptions,
  scanSegy,
  type ScanSummary,
  type SuggestedGrid,
  type XYExtent,
} from "./pipeline/plan/scan.ts";
export { SpacingMeter, type SurveySpacing } from "./pipeline/plan/trace_spacing.ts";

// the migration streams and their planning
export {
  checkFinite,
  type FiniteCheckOptions,
  FiniteCheckStream,
} from "./pipeline/streams/finite_check_stream.ts";
export { type BatchPreprocessor, PreprocessStream } from "./pipeline/streams/preprocess_stream.ts";
export { BinGeometryStream, type BinnedBatch } from "./pipeline/streams/bin_geometry_stream.ts";
export { type FinishedTile, MigrateTileStream } from "./pipeline/streams/migrate_tile_stream.ts";
export { TileWriter, type TraceSink } from "./pipeline/streams/tile_writer.ts";
export type { StageTimes } from "./pipeline/streams/stage_times.ts";
export { GeometryTable } from "./pipeline/plan/geometry_table.ts";
export type { GeometryBand, GeometrySource } from "./pipeline/plan/geometry_index.ts";
export {
  type FootprintFunction,
  makeFootprint,
  type PassInfo,
  type PlanRequest,
  planTiles,
  type TileInfo,
  type TilePlan,
} from "./pipeline/plan/tile_plan.ts";
export { Manifest } from "./pipeline/output/manifest.ts";
export {
  type PreprocessOptions,
  type RhoFilter,
  TracePreprocessor,
} from "./pipeline/dsp/preprocess.ts";
export {
  type MigrationHooks,
  type MigrationSummary,
  runMigration,
} from "./pipeline/job/migrate_job.ts";
export {
  type MigrationPlanReport,
  planMigration,
  type PlannedPass,
  type PlanOnlyOptions,
} from "./pipeline/job/plan_only.ts";
export type { KernelCalibration } from "./pipeline/job/calibrate.ts";
export {
  type PassStageContext,
  type StageFactory,
  stagesForPass,
  type TraceStage,
} from "./pipeline/job/user_stages.ts";
export { type TraceRange, TraceRangeGuard } from "./pipeline/streams/trace_range_guard.ts";
export { type JobConfig, parseJobConfig, readJobConfig } from "./pipeline/job/job_config.ts";
export {
  formatSettings,
  FULL_MODE_DEFAULTS,
  type MigrationSettings,
  resolveSettings,
  type SurveyFacts,
} from "./pipeline/job/defaults.ts";
export { Progress, type ProgressMode } from "./pipeline/job/progress.ts";

// grid, time, velocity, offset classes
export {
  binCentre,
  binOf,
  gridPoints,
  type GridSpec,
  parseGridFlag,
  parseTimeFlag,
  type Point2,
  type TimeAxis,
} from "./pipeline/plan/grid.ts";
export {
  openVelocity,
  parseVelocityFlag,
  type VelocityModel,
  type VelocityOptions,
  type VelocitySpec,
} from "./pipeline/velocity/velocity.ts";
export type { VelocityFunction } from "./pipeline/velocity/velocity_function.ts";
export type { HeaderLocator } from "./pipeline/velocity/velocity_picks.ts";
export {
  type AzimuthSectors,
  formatOffsetClasses,
  type OffsetClasses,
  parseAzimuthSectors,
  parseOffsetClasses,
  suggestOffsetClasses,
} from "./pipeline/plan/offset_classes.ts";

// synthetic surveys and checking images
export {
  type Diffractor,
  type Reflector,
  SYNTH_ORDERS,
  synthBatches,
  synthInFeet,
  type SynthOrder,
  synthPreset,
  type SynthSpec,
  synthTruth,
} from "./pipeline/synth/synth.ts";
export { writeSynthetic } from "./pipeline/synth/write_synthetic.ts";
export { findFocus, type Focus, readStack, type StackVolume } from "./pipeline/qc/focus.ts";

// backends
export type {
  Backend,
  BackendStats,
  BackendTile,
  KernelBatch,
  KernelParams,
  TileInputs,
  WeightsName,
} from "./backends/backend.ts";
export type { TraveltimeTableMode, TraveltimeTableReport } from "./backends/traveltime_table.ts";
export { type BackendName, openBackend } from "./backends/select.ts";
export {
  ANTIALIAS,
  type AntialiasName,
  BACKENDS,
  type CEnum,
  COLORMAPS,
  defineOption,
  isOption,
  LOG_FORMAT,
  type LogFormat,
  type OptionChoice,
  optionCode,
  optionHelp,
  optionMessage,
  type OptionTable,
  OUTPUT_FORMAT,
  type OutputFormat,
  parseOption,
  RHO,
  type RhoName,
  SYNTH_ORDER,
  TRAVELTIME_TABLE,
  VELOCITY_EXTRAPOLATION,
  type VelocityExtrapolation,
  WEIGHTS,
} from "./core/options.ts";
export { ReferenceBackend } from "./backends/reference/reference_backend.ts";
export { referenceAccumulate } from "./backends/reference/reference_kernel.ts";
export { type SplitLimits, WebGpuBackend } from "./backends/webgpu/mod.ts";
export { type NativeAvailability, nativeAvailability, type NativeKind } from "./ffi/mod.ts";
export { NativeBackend } from "./backends/native/mod.ts";

// pictures
export { renderSection } from "./plot/render_section.ts";
export type { AxisSpec, Interpolation, SectionPlotOptions, TickRow } from "./plot/plot_options.ts";
export type { ColormapName } from "./plot/colormap.ts";
export type { ValueRange } from "./plot/clip.ts";
export { type FoldMapOptions, renderFoldMap } from "./plot/fold_map.ts";
