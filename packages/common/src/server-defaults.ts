// Where a core instance listens and keeps its data when nothing is configured. The server's config
// and the CLI's connection defaults both read these, so `npm start` and `spk` agree out of the box.
export const DEFAULT_SERVER_PORT = 3000;
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './.data';
/** The generated admin token's file inside the data dir. */
export const ADMIN_TOKEN_FILE = 'admin-token';
