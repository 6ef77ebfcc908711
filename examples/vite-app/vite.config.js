import { defineConfig } from 'vite';
import outpost from 'outpost/vite';

export default defineConfig({ plugins: [outpost()] });
