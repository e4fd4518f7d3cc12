// Opens a DuckDB file read-only with @duckdb/node-api (a DuckDB 1.x client), runs a query and
// reads the column comments of schema marts; prints both as JSON for the test to compare.
// usage: node open_warehouse.mjs WAREHOUSE "SQL"
import { DuckDBInstance } from '@duckdb/node-api';

const [warehouse, sql] = process.argv.slice(2);
const instance = await DuckDBInstance.create(warehouse, { access_mode: 'READ_ONLY' });
const connection = await instance.connect();

async function rows(query) {
	const reader = await connection.runAndReadAll(query);
	// amounts come back as DECIMAL; their string form keeps them exact
	return reader.getRows().map((row) => row.map((value) => (value === null ? null : String(value))));
}

const result = {
	version: (await rows('select version()'))[0][0],
	rows: await rows(sql),
	comments: await rows(
		"select table_name, column_name, comment from duckdb_columns() where schema_name = 'marts' order by all"
	)
};
console.log(JSON.stringify(result));
connection.closeSync();
instance.closeSync();
