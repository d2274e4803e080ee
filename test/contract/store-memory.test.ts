import { MemoryStore } from '../support/memory-store';
import { storeContract } from './store.contract';

storeContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => {} }));
