// One connection pool for the process; bigint columns come back as numbers
// (populations reach 10^13, well within a double's exact integers).
const { Pool, types } = require('pg');

types.setTypeParser(20, (v) => Number(v));

const pool = new Pool({ connectionString: process.env.DATABASE_URL });

const columns = 'id, name, population, terrains, climates';

module.exports = { pool, columns };
