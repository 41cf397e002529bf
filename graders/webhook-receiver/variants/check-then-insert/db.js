// One connection pool for the process. amount_cents is a bigint column; its
// values come back as numbers (they stay well within a double's exact integers).
const { Pool, types } = require('pg');

types.setTypeParser(20, (v) => Number(v));

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

module.exports = { pool };
