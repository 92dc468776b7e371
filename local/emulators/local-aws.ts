/** Credentials and region the emulators accept; nothing here reaches AWS. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '123456789012';
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
