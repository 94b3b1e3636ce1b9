import type { Migration } from './migration';

/** Imported data: sources, domains, questions, images, CoTs and their steps. */
export const m001Data: Migration = {
  version: 1,
  name: 'data',
  up(db) {
    db.exec(`
      CREATE TABLE sources (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        pool TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        imported_at TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '{}',
        UNIQUE (sha256, pool)
      );
      CREATE TABLE domains (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        pool TEXT NOT NULL CHECK (pool IN ('train', 'meta', 'test')),
        excluded INTEGER NOT NULL DEFAULT 0,
        UNIQUE (name, pool)
      );
      -- Images are stored once by content hash; a question refers to them by id.
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        mime TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        thumb BLOB NOT NULL
      );
      CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        ext_id TEXT NOT NULL,
        domain_id INTEGER NOT NULL REFERENCES domains(id),
        source_id INTEGER REFERENCES sources(id),
        text TEXT NOT NULL,
        answer TEXT,
        UNIQUE (domain_id, ext_id)
      );
      CREATE INDEX questions_source ON questions(source_id);
      -- A question's images in order; image_id is NULL when the file was missing at import.
      CREATE TABLE question_images (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        image_id INTEGER REFERENCES images(id),
        path TEXT NOT NULL,
        PRIMARY KEY (question_id, ord)
      );
      CREATE TABLE cots (
        id INTEGER PRIMARY KEY,
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        ext_id TEXT NOT NULL,
        source_id INTEGER REFERENCES sources(id),
        answer TEXT,
        correct INTEGER,
        n_steps INTEGER NOT NULL,
        UNIQUE (question_id, ext_id)
      );
      CREATE INDEX cots_source ON cots(source_id);
      -- mc is the Monte Carlo label m in [0,1] from k rollouts; human is a +/- override (1/0).
      CREATE TABLE steps (
        id INTEGER PRIMARY KEY,
        cot_id INTEGER NOT NULL REFERENCES cots(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        text TEXT NOT NULL,
        mc REAL,
        k INTEGER,
        human INTEGER,
        vector BLOB,
        UNIQUE (cot_id, idx)
      );
    `);
  },
};
