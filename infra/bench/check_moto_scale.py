"""Checks infra/local/moto_scale.py: the same writes and queries (partitions, a key range,
a filter, pages both ways, an update that moves an item to another partition, a base
table query) give the same pages with and without it. Run by catalog-search.sh."""
import sys, random
sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1] / 'local'))
import boto3
from moto import mock_aws
def run():
    ddb=boto3.client('dynamodb',region_name='us-east-1')
    ad=[{'AttributeName':a,'AttributeType':'S'} for a in ['PK','SK','SPK','SP']]
    ddb.create_table(TableName='t',BillingMode='PAY_PER_REQUEST',AttributeDefinitions=ad,
      KeySchema=[{'AttributeName':'PK','KeyType':'HASH'},{'AttributeName':'SK','KeyType':'RANGE'}],
      GlobalSecondaryIndexes=[{'IndexName':'PPP','KeySchema':[{'AttributeName':'SPK','KeyType':'HASH'},{'AttributeName':'SP','KeyType':'RANGE'}],'Projection':{'ProjectionType':'ALL'}}])
    r=random.Random(5); b=[]
    for i in range(3000):
        it={'PK':{'S':f'P#{r.randint(0,500)}'},'SK':{'S':f'I#{i}'},'SPK':{'S':f'C#{r.randint(0,5)}'},'SP':{'S':f'{r.randint(0,50):04}'},'x':{'N':str(r.randint(0,9))}}
        b.append({'PutRequest':{'Item':it}})
        if len(b)==25: ddb.batch_write_item(RequestItems={'t':b}); b=[]
    ddb.update_item(TableName='t',Key={'PK':{'S':'P#1'},'SK':{'S':'I#0'}},UpdateExpression='SET SPK = :s, SP = :p',ExpressionAttributeValues={':s':{'S':'C#9'},':p':{'S':'0001'}})
    out=[]
    for part in ['C#0','C#3','C#9','C#77']:
        for fwd in [True, False]:
            start=None
            while True:
                kw=dict(TableName='t',IndexName='PPP',KeyConditionExpression='SPK = :p AND SP BETWEEN :a AND :b',FilterExpression='x > :z',ExpressionAttributeValues={':p':{'S':part},':a':{'S':'0010'},':b':{'S':'0040'},':z':{'N':'3'}},Limit=37,ScanIndexForward=fwd)
                if start: kw['ExclusiveStartKey']=start
                q=ddb.query(**kw); out.append([i['SK']['S'] for i in q['Items']])
                start=q.get('LastEvaluatedKey')
                if not start: break
    q=ddb.query(TableName='t',KeyConditionExpression='PK = :p',ExpressionAttributeValues={':p':{'S':'P#7'}}); out.append([i['SK']['S'] for i in q['Items']])
    return out
with mock_aws(): plain=run()
import moto_scale
with mock_aws(): fast=run()
assert plain == fast, 'moto_scale changes query results'
print(f'moto_scale: {len(plain)} pages, {sum(map(len, plain))} items, same as plain moto')
