import { Pool } from "pg";

// One pool per process, configured from $DATABASE_URL as the brief requires.
export const pool = new Pool({ connectionString: process.env.DATABASE_URL });
