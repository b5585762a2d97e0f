/**
 * Listing the clips of one file source (folders, glob, manifest, sound themes, built-in) without
 * decoding anything. Labels are still strings here; splits are assigned later (split.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { MtaError } from '../common/index.js';
import type { RawClip } from './clip.js';
import { globFiles, walk } from './glob.js';
import { readManifest } from './manifest.js';
import { readSoundTheme, soundGroups } from './soundtheme.js';
import type { FileSourceDef } from './suite-schema.js';
import { builtinSourceClips } from './builtin-source.js';

export interface SourceContext {
  baseDir: string;
  /** `file: tasks[i].sources[j]`, the prefix of every error subject about this source. */
  where: string;
}

const AUDIO_EXTENSIONS = ['.wav', '.ogg', '.opus', '.flac', '.mp3', '.oga'];

export function listSourceClips(def: FileSourceDef, ctx: SourceContext): RawClip[] {
  switch (def.type) {
    case 'folders':
      return listFolders(def, ctx);
    case 'glob':
      return listGlob(def, ctx);
    case 'manifest':
      return listManifest(def, ctx);
    case 'soundtheme':
      return listSoundThemes(def, ctx);
    case 'builtin':
      return builtinSourceClips(def, ctx.where);
  }
}

/** Resolves a suite-relative folder and fails fast if it is missing. */
export function existingDir(path: string, ctx: SourceContext, field: string): string {
  const abs = isAbsolute(path) ? path : resolve(ctx.baseDir, path);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new MtaError('FILE_NOT_FOUND', `folder not found: ${abs}`, {
      subject: `${ctx.where}.${field}`,
      hint: 'paths in a suite file are relative to the suite file’s folder',
    });
  }
  return abs;
}

function fileClip(root: string, relPath: string, label: string, ctx: SourceContext): RawClip {
  const path = resolve(root, relPath);
  return { audio: { kind: 'file', path }, relPath, id: toPosix(relative(ctx.baseDir, path)), label };
}

function listFolders(def: Extract<FileSourceDef, { type: 'folders' }>, ctx: SourceContext): RawClip[] {
  const root = existingDir(def.root, ctx, 'root');
  const exts = (def.extensions ?? AUDIO_EXTENSIONS).map((e) => e.toLowerCase());
  const labelRe = def.labelRegex === undefined ? undefined : new RegExp(def.labelRegex, 'u');
  const out: RawClip[] = [];
  let folders = 0;
  let matched = 0;
  walkFolders(root, (folder) => {
    folders++;
    let label = folder;
    if (labelRe) {
      const m = labelRe.exec(folder);
      if (!m) return;
      label = m.groups?.label ?? m[1] ?? m[0];
    }
    matched++;
    walk(root, folder, (rel) => {
      if (exts.some((e) => rel.toLowerCase().endsWith(e))) out.push(fileClip(root, rel, label, ctx));
    });
  });
  if (folders === 0) {
    throw new MtaError('BAD_DATA', `no class folders in ${root}`, { subject: `${ctx.where}.root` });
  }
  if (matched === 0) {
    throw new MtaError('BAD_CONFIG', 'label regex matches no folder name', {
      subject: `${ctx.where}.labelRegex`,
    });
  }
  return out;
}

function walkFolders(root: string, visit: (name: string) => void): void {
  const names: string[] = [];
  walk(root, '', (rel) => {
    const i = rel.indexOf('/');
    if (i > 0 && names[names.length - 1] !== rel.slice(0, i)) names.push(rel.slice(0, i));
  });
  for (const n of names) visit(n);
}

function listGlob(def: Extract<FileSourceDef, { type: 'glob' }>, ctx: SourceContext): RawClip[] {
  const root = existingDir(def.root, ctx, 'root');
  const files = globFiles(root, def.pattern);
  if (files.length === 0) {
    throw new MtaError('BAD_DATA', `glob ${def.pattern} matches no file in ${root}`, {
      subject: `${ctx.where}.pattern`,
    });
  }
  if (def.labelRegex === undefined) {
    if (def.label === undefined) {
      throw new MtaError('BAD_CONFIG', 'a glob source needs `labelRegex` or a constant `label`', {
        subject: ctx.where,
      });
    }
    return files.map((rel) => fileClip(root, rel, def.label!, ctx));
  }
  const re = new RegExp(def.labelRegex, 'u');
  const out: RawClip[] = [];
  const unmatched: string[] = [];
  for (const rel of files) {
    const m = re.exec(rel);
    const label = m ? (m.groups?.label ?? m[1]) : undefined;
    if (label === undefined) {
      unmatched.push(rel);
      continue;
    }
    const clip = fileClip(root, rel, label, ctx);
    if (m!.groups?.group !== undefined) clip.group = m!.groups.group;
    out.push(clip);
  }
  if (out.length === 0) {
    throw new MtaError(
      'BAD_CONFIG',
      `label regex matches none of the ${files.length} files (first: ${files[0]})`,
      {
        subject: `${ctx.where}.labelRegex`,
        hint: 'the regex sees the path relative to root, with `/` separators',
      },
    );
  }
  if (unmatched.length > 0 && def.unmatched === 'error') {
    throw new MtaError(
      'BAD_CONFIG',
      `label regex does not match ${unmatched.length} file(s): ${unmatched.slice(0, 3).join(', ')}`,
      {
        subject: `${ctx.where}.labelRegex`,
        hint: 'narrow the pattern, or set "unmatched": "skip"',
      },
    );
  }
  return out;
}

function listManifest(def: Extract<FileSourceDef, { type: 'manifest' }>, ctx: SourceContext): RawClip[] {
  const file = resolve(ctx.baseDir, def.file);
  if (!existsSync(file)) {
    throw new MtaError('FILE_NOT_FOUND', `manifest not found: ${file}`, { subject: `${ctx.where}.file` });
  }
  const root = def.root === undefined ? dirname(file) : existingDir(def.root, ctx, 'root');
  const rows = readManifest(file, `${ctx.where}.file (${file})`);
  if (rows.length === 0)
    throw new MtaError('BAD_DATA', 'manifest is empty', { subject: `${ctx.where}.file` });
  return rows.map((r) => {
    const rel = toPosix(isAbsolute(r.path) ? relative(root, r.path) : r.path);
    const clip = fileClip(root, rel, r.label, ctx);
    clip.split = r.split;
    clip.group = r.group;
    return clip;
  });
}

function listSoundThemes(def: Extract<FileSourceDef, { type: 'soundtheme' }>, ctx: SourceContext): RawClip[] {
  const root = existingDir(def.root, ctx, 'root');
  const files = globFiles(root, def.themes);
  if (files.length === 0) {
    throw new MtaError('BAD_DATA', `no sound theme files match ${def.themes}`, {
      subject: `${ctx.where}.themes`,
    });
  }
  const themes = files.map((f) => readSoundTheme(resolve(root, f), `${ctx.where}.themes (${f})`));
  const groups = soundGroups(themes);
  const out: RawClip[] = [];
  const seen = new Set<string>();
  for (const t of themes) {
    for (const s of t.sounds) {
      // One file may serve several sound names; it is one clip.
      if (seen.has(s.file)) continue;
      seen.add(s.file);
      const clip = fileClip(root, s.file, t.language, ctx);
      clip.group = groups.get(s.name);
      out.push(clip);
    }
  }
  return out;
}

export function toPosix(p: string): string {
  return p.split('\\').join('/');
}
