import type { Command } from 'commander';
import { readAudioInfo, type AudioInfo } from '../../audio/index.js';
import { MtaError, isMtaError } from '../../common/index.js';

const HELP_AFTER = `
Formats are detected from the file's bytes, not its extension: WAV (PCM 8/16/24/32-bit, float
32/64, WAVE_FORMAT_EXTENSIBLE), Ogg Vorbis, Ogg Opus, FLAC and MP3. Each file is decoded in full,
so a damaged file is reported here. Rates and durations are those of the file itself (Opus always
decodes at 48000 Hz); other commands resample to 16 kHz mono.

Output: one line per file, or with --json a JSON array of objects
  { path, bytes, container, codec, sampleRate, channels, frames, durationSec, bitsPerSample? }.
A file that cannot be read is reported on stderr as "mta: error [CODE] <file>: <reason>"; the other
files are still listed, and the exit code is 2.

Examples:
  mta info ../shared/data/fsdd/recordings/0_george_0.wav
  mta info --json clips/*.ogg`;

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('Print container, codec, sample rate, channels, bit depth and duration of audio files.')
    .argument('<audio...>', 'audio files (WAV, Ogg Vorbis, Ogg Opus, FLAC, MP3)')
    .option('--json', 'print a JSON array instead of one line per file')
    .addHelpText('after', HELP_AFTER)
    .action(async (paths: string[], opts: { json?: boolean }) => {
      const infos: AudioInfo[] = [];
      const errors: MtaError[] = [];
      for (const path of paths) {
        try {
          const info = await readAudioInfo(path);
          infos.push(info);
          if (!opts.json) process.stdout.write(`${describe(info)}\n`);
        } catch (e) {
          if (!isMtaError(e)) throw e;
          errors.push(e);
        }
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
      // A lone error is printed by the CLI's error handler; several are listed, then summarised.
      if (errors.length === 1) throw errors[0];
      for (const e of errors) process.stderr.write(`mta: error [${e.code}] ${e.describe()}\n`);
      if (errors.length > 1) {
        throw new MtaError('BAD_AUDIO', `${errors.length} of ${paths.length} files could not be read`, {
          subject: 'mta info',
        });
      }
    });
}

function describe(i: AudioInfo): string {
  const bits = i.bitsPerSample === undefined ? '' : `, ${i.bitsPerSample}-bit`;
  const channels = i.channels === 1 ? 'mono' : i.channels === 2 ? 'stereo' : `${i.channels} channels`;
  return (
    `${i.path}: ${i.container} (${i.codec}${bits}), ${i.sampleRate} Hz, ${channels}, ` +
    `${i.durationSec.toFixed(3)} s (${i.frames} frames), ${i.bytes} bytes`
  );
}
