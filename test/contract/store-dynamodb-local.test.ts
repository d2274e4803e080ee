import { dynamoDbLocalStore } from '../support/stores';
import { storeContract } from './store.contract';

// Amazon's own engine: anything dynalite lets through that DynamoDB would refuse fails here.
storeContract('DynamoDbStore on Amazon DynamoDB Local', () => dynamoDbLocalStore('eio-contract'));
